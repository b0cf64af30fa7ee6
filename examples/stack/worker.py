"""A worker that says it is alive: one VLP v0.2 heartbeat (docs/formats/vlp.md) per unit of work.

tether up gives it the heartbeat socket in TETHER_WATCH_SOCKET; when the beats stop for the probe's timeout, the
supervisor restarts it. Any VLP client works the same way, as does `tether beat --socket "$TETHER_WATCH_SOCKET"`.
"""
import os
import socket
import struct
import time


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def beat(sock: socket.socket, path: str, nonce: int, payload: int) -> None:
    # magic "VA", version 2, status 0 (ok), our pid, a monotonic timestamp, the sequence number, an application value.
    frame = struct.pack("<2sBBIQQI", b"VA", 2, 0, os.getpid(), time.monotonic_ns(), nonce, payload)
    sock.sendto(frame + struct.pack("<I", crc32c(frame)), path)


def main() -> None:
    path = os.environ["TETHER_WATCH_SOCKET"]
    every = float(os.environ.get("WORK_EVERY", "1"))
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    done = 0
    while True:
        done += 1  # the "work"
        beat(sock, path, done, done)
        if done % 10 == 0:
            print(f"worked {done} units")
        time.sleep(every)


if __name__ == "__main__":
    main()
