#!/usr/bin/env python3
"""Connect to a unix socket chardev (retrying while it is not there yet),
send a byte (the "flood ... wait" guest starts on it; again every 50 ms
until output comes, as a byte that came before the guest set up its UART
was cleared by it), read until the server closes, and write what came to
OUT.  Prints "BYTES SECONDS" (from connect to end of stream) on stdout.

    sock-read.py PATH OUT
"""
import socket
import sys
import time

path, out = sys.argv[1], sys.argv[2]
deadline = time.monotonic() + 10
while True:
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(path)
        break
    except OSError as e:
        s.close()
        if time.monotonic() > deadline:
            sys.exit("sock-read: cannot connect to %s: %s" % (path, e))
        time.sleep(0.002)
t0 = time.monotonic()
s.sendall(b"g")
s.settimeout(0.05)
n = 0
with open(out, "wb") as f:
    while True:
        try:
            b = s.recv(1 << 20)
        except socket.timeout:
            try:
                if n == 0:
                    s.sendall(b"g")
            except OSError:
                break  # the server is gone
            continue
        except ConnectionResetError:
            break
        if not b:
            break
        f.write(b)
        n += len(b)
print(n, "%.3f" % (time.monotonic() - t0))
