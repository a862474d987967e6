# A TCP echo between a sandboxed and a native process. Modes:
#   server PORTFILE  listen on 127.0.0.1, write the port, echo one client
#   client PORTFILE  connect, send, check the echo
import os, socket, sys, time

mode, portfile = sys.argv[1], sys.argv[2]
if mode == "server":
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.rename(tmp, portfile)
    conn, _ = srv.accept()
    with conn:
        while True:
            d = conn.recv(65536)
            if not d:
                break
            conn.sendall(d)
    print("server done")
else:
    for _ in range(500):
        if os.path.exists(portfile):
            break
        time.sleep(0.01)
    port = int(open(portfile).read())
    c = socket.create_connection(("127.0.0.1", port))
    payload = bytes(range(256)) * 4000
    c.sendall(payload)
    c.shutdown(socket.SHUT_WR)
    got = bytearray()
    while True:
        d = c.recv(65536)
        if not d:
            break
        got += d
    print("client echo", "ok" if bytes(got) == payload else "FAIL", len(got))
