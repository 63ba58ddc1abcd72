"""A TCP relay in front of the test Neo4j that the test can cut: a real lost network, not a fake.

The driver under test connects to the relay; ``cut()`` closes the listening socket and every
relayed connection, so that open connections break and new ones are refused, as when a server
host goes away. The server itself keeps running for the rest of the test.
"""

from __future__ import annotations

import socket
import threading
import urllib.parse


class CuttableRelay:
    """Relay ``127.0.0.1:<port>`` to the Bolt address of ``target_uri`` until :meth:`cut`."""

    def __init__(self, target_uri: str) -> None:
        parsed = urllib.parse.urlparse(target_uri)
        self._target = (parsed.hostname, parsed.port or 7687)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._cut = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # cut
            with self._lock:
                if self._cut:
                    client.close()
                    return
                server = socket.create_connection(self._target)
                self._sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            try:  # wakes the accepting thread (closing alone leaves it listening on Linux)
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
