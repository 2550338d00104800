export async function recordFirefoxHar() { throw new Error("todo"); }
