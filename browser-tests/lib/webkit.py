#!/usr/bin/python3
"""WebKitGTK driver for the browser tests: one WebKit2 WebView under Xvfb, driven over pipes.

Run by lib/webkit.mjs as `xvfb-run -a /usr/bin/python3 webkit.py PROFILE_DIR`. Commands arrive on
stdin, one JSON object a line; each answer goes to file descriptor 3, one JSON object a line:

  {"id": 1, "op": "open", "url": "http://127.0.0.1:8001/"}   -> {"id": 1, "ok": true}
  {"id": 2, "op": "eval", "body": "return 1 + 1"}            -> {"id": 2, "ok": true, "value": 2}
  {"id": 3, "op": "quit"}                                     -> {"id": 3, "ok": true}

`eval` runs `body` as the body of an async function in the page (its awaited return value must be
JSON). WebKit's web process writes every console message of the page as one line,
"CONSOLE <SOURCE> <LEVEL> <text>" (the WebKit2 setting enable-write-console-messages-to-stdout;
WebKitGTK 2.50 writes them to stderr, unbuffered, despite the name), which the caller reads from
this process's stderr. That is how the CORS messages of a blocked fetch are read: WebDriver's
automation mode would hide them, a normal web view shows them.

The profile is fresh per run: PROFILE_DIR (a new temporary directory, removed by the caller) holds
every website data and cache directory. An ephemeral WebsiteDataManager would be simpler, but
WebKit does not write console messages of ephemeral sessions to stdout. Background traffic is
off: no DNS prefetching, no page cache, no tracking-prevention database, no proxy.
"""
import json
import os
import sys
import threading

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import GLib, Gtk, WebKit2  # noqa: E402

answers = os.fdopen(3, "w", buffering=1)


def answer(msg):
    answers.write(json.dumps(msg) + "\n")
    answers.flush()



def main():
    profile = sys.argv[1]
    data = WebKit2.WebsiteDataManager(
        base_data_directory=os.path.join(profile, "data"),
        base_cache_directory=os.path.join(profile, "cache"),
    )
    data.set_itp_enabled(False)
    data.set_network_proxy_settings(WebKit2.NetworkProxyMode.NO_PROXY, None)
    context = WebKit2.WebContext.new_with_website_data_manager(data)
    context.set_cache_model(WebKit2.CacheModel.DOCUMENT_VIEWER)
    context.set_spell_checking_enabled(False)
    settings = WebKit2.Settings(
        enable_write_console_messages_to_stdout=True,
        enable_page_cache=False,
        enable_webgl=False,
        enable_media=False,
        hardware_acceleration_policy=WebKit2.HardwareAccelerationPolicy.NEVER,
    )
    view = WebKit2.WebView(web_context=context, settings=settings)
    window = Gtk.OffscreenWindow()
    window.add(view)
    window.show_all()

    pending_open = {}

    def on_load(_view, event):
        if event == WebKit2.LoadEvent.FINISHED and "id" in pending_open:
            answer({"id": pending_open.pop("id"), "ok": True, "version": version()})

    def on_failed(_view, _event, uri, error):
        if "id" in pending_open:
            answer({"id": pending_open.pop("id"), "ok": False, "error": f"{uri}: {error.message}"})
        return True

    view.connect("load-changed", on_load)
    view.connect("load-failed", on_failed)

    def handle(line):
        try:
            cmd = json.loads(line)
        except ValueError as e:
            answer({"id": None, "ok": False, "error": f"bad command: {e}"})
            return False
        op, cid = cmd.get("op"), cmd.get("id")
        if op == "open":
            pending_open["id"] = cid
            view.load_uri(cmd["url"])
        elif op == "eval":
            body = "return JSON.stringify(await (async () => {" + cmd["body"] + "\n})());"

            def done(v, res, _data):
                try:
                    value = v.call_async_javascript_function_finish(res)
                    answer({"id": cid, "ok": True, "value": json.loads(value.to_string())})
                except GLib.Error as e:
                    answer({"id": cid, "ok": False, "error": e.message})

            view.call_async_javascript_function(body, -1, None, None, None, None, done, None)
        elif op == "quit":
            answer({"id": cid, "ok": True})
            Gtk.main_quit()
        else:
            answer({"id": cid, "ok": False, "error": f"unknown op {op!r}"})
        return False

    def read_commands():
        for line in sys.stdin:
            GLib.idle_add(handle, line)
        GLib.idle_add(Gtk.main_quit)

    threading.Thread(target=read_commands, daemon=True).start()
    answer({"id": 0, "ok": True, "version": version()})
    Gtk.main()


def version():
    return "WebKitGTK %d.%d.%d" % (
        WebKit2.get_major_version(),
        WebKit2.get_minor_version(),
        WebKit2.get_micro_version(),
    )


if __name__ == "__main__":
    main()
