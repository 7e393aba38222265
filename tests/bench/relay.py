"""A TCP relay on 127.0.0.1 that counts what crosses it, and can stop answering on request.

Put it between the box and the reference hub to count requests (one
connection each: ``urllib`` does not keep connections alive) and bytes on
the wire in both directions, headers included::

    with Relay(hub_port) as relay:
        box.config["hub"]["url"] = relay.url
        ...
        relay.counts()    # {"connections": 2, "sent": 612, "received": 15873}

``relay.mode`` plays the network's faults: ``"pass"``, ``"down"`` (accepts
and closes at once, like a reset) and ``"hang"`` (accepts, never answers).
"""

import socket
import threading


class Relay:
    def __init__(self, upstream_port, *, upstream_host="127.0.0.1"):
        self.upstream = (upstream_host, upstream_port)
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.mode = "pass"
        self._lock = threading.Lock()
        self._open = []
        self.reset()
        threading.Thread(target=self._accept, name="relay", daemon=True).start()

    def reset(self):
        with self._lock:
            self._counts = {"connections": 0, "sent": 0, "received": 0}

    def counts(self):
        with self._lock:
            return dict(self._counts)

    def _add(self, key, n):
        with self._lock:
            self._counts[key] += n

    def _accept(self):
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            self._add("connections", 1)
            if self.mode == "down":
                client.close()
                continue
            self._open.append(client)
            if self.mode == "hang":
                continue
            try:
                upstream = socket.create_connection(self.upstream, timeout=10)
            except OSError:
                client.close()
                continue
            self._open.append(upstream)
            threading.Thread(target=self._pipe, args=(client, upstream, "sent"), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, "received"), daemon=True).start()

    def _pipe(self, source, target, key):
        try:
            while chunk := source.recv(65536):
                self._add(key, len(chunk))
                target.sendall(chunk)
        except OSError:
            pass
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self._server.close()
        for sock in self._open:
            sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
