"""UDP tap for the interop capture: listens on 127.0.0.2:53, forwards each query to 127.0.0.1:53 and
writes the reply octets to the file named on the command line before relaying them, so a client's
printed text can be paired with the exact bytes it printed. Runs only inside capture.sh's namespace."""
import os
import socket
import sys

out = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.2", 53))
while True:
    query, client = s.recvfrom(65535)
    upstream = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    upstream.settimeout(2)
    upstream.sendto(query, ("127.0.0.1", 53))
    reply, _ = upstream.recvfrom(65535)
    upstream.close()
    with open(out + ".tmp", "wb") as f:
        f.write(reply)
    os.replace(out + ".tmp", out)
    s.sendto(reply, client)
