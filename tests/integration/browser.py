"""Headless Chromium driven over the DevTools protocol, Python's standard library only.

The protocol runs over a pipe (--remote-debugging-pipe: the browser reads commands on its fd 3 and writes
replies and events on its fd 4, each message JSON ended by a NUL), so no port is opened and no websocket
client is needed. One browser serves every page of a test; each page collects what the DevTools console
would show as a problem: uncaught exceptions, console.error/warn/assert, and log entries at level error
(a Content-Security-Policy violation, a failed load).

Chromium runs as root here, so it needs --no-sandbox, and a temporary --user-data-dir so nothing of the
host's profile is read or written. It must run inside the lab's network namespace like every test; the pages
it opens are local files and make no request at all.
"""
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time


class BrowserError(Exception):
    pass


def chromium_path():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise BrowserError("chromium is not installed (scripts/deps installs Debian's chromium package)")


class Browser:
    def __init__(self, timeout=30.0, window=(1200, 900)):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="dkimdoctor-chromium-")
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        # Above 10, so the dup2 onto 3 and 4 in the child cannot clobber one another.
        child_in = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
        child_out = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)

        def wire_fds():
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        args = [chromium_path(), "--headless", "--no-sandbox", "--user-data-dir=" + self.profile,
                "--remote-debugging-pipe", "--no-first-run", "--no-default-browser-check", "--disable-gpu",
                "--disable-extensions", "--disable-background-networking", "--disable-sync",
                "--window-size=%d,%d" % window, "about:blank"]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, preexec_fn=wire_fds, pass_fds=(3, 4))
        for fd in (to_browser_r, from_browser_w, child_in, child_out):
            os.close(fd)
        self.w, self.r = to_browser_w, from_browser_r
        self.buf = b""
        self.next_id = 0
        self.events = []  # (sessionId, method, params) not yet consumed

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self.w, self.r):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("no answer from chromium within %.0f s" % self.timeout)
            ready, _, _ = select.select([self.r], [], [], left)
            if ready:
                chunk = os.read(self.r, 1 << 20)
                if not chunk:
                    raise BrowserError("chromium closed the DevTools pipe (exit status %s)" % self.proc.poll())
                self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            data = data[os.write(self.w, data):]
        deadline = time.monotonic() + self.timeout
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise BrowserError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            if "method" in m:
                self.events.append((m.get("sessionId"), m["method"], m.get("params", {})))

    def wait_event(self, session, method):
        deadline = time.monotonic() + self.timeout
        while True:
            for i, (s, name, params) in enumerate(self.events):
                if s == session and name == method:
                    del self.events[i]
                    return params
            m = self._read_message(deadline)
            if "method" in m:
                self.events.append((m.get("sessionId"), m["method"], m.get("params", {})))

    def open(self, url):
        """A new tab showing `url`, loaded (its load event fired)."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session, target)
        for domain in ("Runtime", "Log", "Page"):
            self.call(domain + ".enable", session=session)
        self.call("Page.navigate", {"url": url}, session=session)
        self.wait_event(session, "Page.loadEventFired")
        return page


class Page:
    def __init__(self, browser, session, target):
        self.b, self.session, self.target = browser, session, target

    def eval(self, expression):
        """The value of a JavaScript expression in the page (JSON-serialisable)."""
        r = self.b.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                             "awaitPromise": True}, session=self.session)
        if "exceptionDetails" in r:
            raise BrowserError("%s: %s" % (expression, r["exceptionDetails"].get("text")))
        return r["result"].get("value")

    def type_text(self, text):
        self.b.call("Input.insertText", {"text": text}, session=self.session)

    def problems(self):
        """What the console would show as errors or warnings since the page opened, as strings."""
        self.eval("0")  # a round trip, so the events sent before it have arrived
        out = []
        for s, method, p in self.b.events:
            if s != self.session:
                continue
            if method == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                out.append("exception: " + (d.get("exception", {}).get("description") or d.get("text", "")))
            elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
                out.append("console.%s: %s" % (p["type"], " ".join(str(a.get("value", a.get("description")))
                                                                   for a in p.get("args", []))))
            elif method == "Log.entryAdded" and p.get("entry", {}).get("level") in ("error", "warning"):
                e = p["entry"]
                out.append("log %s (%s): %s %s" % (e["level"], e.get("source"), e.get("text"), e.get("url", "")))
        return out

    def close(self):
        self.b.call("Target.closeTarget", {"targetId": self.target})
        self.b.events = [e for e in self.b.events if e[0] != self.session]
