#!/usr/bin/env python3
"""Job control of an interactive bash on a terminal, natively and under
msentry: the transcripts must be the same.

The shell runs on a pty this script makes (its controlling terminal, as
a terminal emulator would give it). Steps: ^Z stops a foreground job,
`jobs` lists it, `fg` resumes it and ^C ends it (status 130); a
background `cat` that reads the terminal is stopped by SIGTTIN; a resize
of the terminal (TIOCSWINSZ on the master) reaches the shell as SIGWINCH
and `stty size` shows it; a read with a timeout ends by SIGALRM (142).

Usage: jobcontrol.py MSENTRY
"""
import fcntl
import os
import re
import select
import shutil
import struct
import sys
import termios
import time

PROMPT = b"JC> "


class Shell:
    def __init__(self, argv):
        self.pid, self.fd = os.forkpty()
        if self.pid == 0:
            env = {"PATH": "/usr/bin:/bin", "PS1": PROMPT.decode(), "TERM": "dumb",
                   "HISTFILE": "/dev/null", "HOME": "/tmp"}
            os.execvpe(argv[0], argv, env)
        self.out = b""
        self.resize(24, 80)

    def resize(self, rows, cols):
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def expect(self, what, timeout=30):
        deadline = time.monotonic() + timeout
        while what not in self.out:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"waiting for {what!r}; got {self.out[-300:]!r}")
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:
                    data = b""
                if not data:
                    raise EOFError(f"shell gone waiting for {what!r}; got {self.out[-300:]!r}")
                self.out += data
        head, _, self.out = self.out.partition(what)
        return head

    def send(self, text):
        os.write(self.fd, text.encode() if isinstance(text, str) else text)

    def step(self, line, then=None):
        """Type `line`, optionally send `then` once it runs, read to the prompt."""
        self.send(line + "\n")
        if then is not None:
            time.sleep(1.0)
            self.send(then)
        return self.expect(PROMPT)

    def close(self):
        self.send("exit\n")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            try:
                os.read(self.fd, 4096)
            except OSError:
                pass
            time.sleep(0.05)
        os.kill(self.pid, 9)
        return None


def clean(text):
    text = text.decode(errors="replace").replace("\r\n", "\n").replace("\r", "")
    text = re.sub(r"\[(\d+)\] \d+", r"[\1] PID", text)
    text = text.replace("^Z", "").replace("^C", "")
    # When bash reports the killed job is its own race (before or after
    # the next command's output, natively too): left out.
    return "\n".join(line.rstrip() for line in text.split("\n")
                     if line.strip() and "Killed" not in line and "warning:" not in line)


def session(argv):
    sh = Shell(argv)
    sh.expect(PROMPT)
    out = []
    out.append(sh.step("stty -echo; echo start"))
    out.append(sh.step("sleep 30", then=b"\x1a"))
    out.append(sh.step("jobs"))
    out.append(sh.step("fg", then=b"\x03"))
    out.append(sh.step("echo status=$?"))
    out.append(sh.step("cat &"))
    time.sleep(1.0)
    out.append(sh.step("jobs"))
    out.append(sh.step("kill -KILL %1; sleep 1; echo killed"))
    out.append(sh.step("trap 'echo winch' WINCH; echo trapped"))
    sh.resize(30, 100)
    out.append(sh.expect(b"winch"))
    out.append(sh.step("stty size"))
    out.append(sh.step("read -t 1 x </dev/tty; echo read=$?"))
    status = sh.close()
    return "\n".join(clean(o) for o in out) + f"\nexit={status}"


def main():
    msentry = os.path.realpath(sys.argv[1])
    bash = shutil.which("bash")
    native = session([bash, "--norc", "--noprofile", "-i"])
    sandboxed = session([msentry, "run", "--quiet", bash, "--norc", "--noprofile", "-i"])
    print("native:\n" + native)
    if native != sandboxed:
        print("msentry:\n" + sandboxed)
        print("FAIL: the transcripts differ")
        return 1
    print("ok: the same under msentry")
    return 0


if __name__ == "__main__":
    sys.exit(main())
