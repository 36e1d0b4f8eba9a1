#!/usr/bin/env python3
"""A silent name server for the lab: binds UDP and TCP port 53 on one address, takes every query and never
answers, as a firewalled or dead host on the internet behaves (on loopback an address where nothing listens
would answer ICMP port-unreachable at once, which no real dead server does). Runs inside the lab namespace.
Usage: blackhole.py ADDRESS PIDFILE"""
import os
import selectors
import socket
import sys

address, pidfile = sys.argv[1], sys.argv[2]
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind((address, 53))
tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tcp.bind((address, 53))
tcp.listen(64)
udp.setblocking(False)
tcp.setblocking(False)

if os.fork() != 0:
    os._exit(0)  # the parent returns once the sockets are bound
os.setsid()
with open(pidfile, "w") as f:
    f.write(f"{os.getpid()}\n")
devnull = os.open(os.devnull, os.O_RDWR)
for fd in (0, 1, 2):
    os.dup2(devnull, fd)

MAX_CONNECTIONS = 256  # a bound on what a flood of connections can hold open
sel = selectors.DefaultSelector()
sel.register(udp, selectors.EVENT_READ, "udp")
sel.register(tcp, selectors.EVENT_READ, "listen")
connections = []
while True:
    for key, _ in sel.select():
        if key.data == "udp":
            try:
                udp.recvfrom(65535)  # swallowed
            except BlockingIOError:
                pass
        elif key.data == "listen":
            try:
                conn, _ = tcp.accept()
            except BlockingIOError:
                continue
            conn.setblocking(False)
            connections.append(conn)
            sel.register(conn, selectors.EVENT_READ, "conn")
            if len(connections) > MAX_CONNECTIONS:
                old = connections.pop(0)
                sel.unregister(old)
                old.close()
        else:
            conn = key.fileobj
            try:
                data = conn.recv(65535)
            except (BlockingIOError, ConnectionError):
                data = b"x"
            if not data:  # the client closed: so do we
                sel.unregister(conn)
                connections.remove(conn)
                conn.close()
