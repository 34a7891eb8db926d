"""The playground's real server against slow and many clients: every wait is bounded."""
import http.client
import json
import socket
import time

import pytest

from dagnet.playground import limits
from dagnet.playground.server import make_app
from dagnet.playground.session import Session
from playground_support import live_server

#: Seconds a test waits for the server to cut a client off (generous: the machine may be busy).
PATIENCE = 20


def closed_by_server(sock, trickle=b"", seconds=PATIENCE):
    """Send ``trickle`` a byte every 0.1 s until the server closes the connection: what it sent, or None."""
    sock.settimeout(0.1)
    received, deadline = b"", time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(4096)
            if not chunk:
                return received
            received += chunk
        except socket.timeout:
            pass
        except ConnectionError:
            return received
        if trickle:
            try:
                sock.send(trickle)
            except (ConnectionError, BrokenPipeError):
                return received
    return None


def test_a_request_head_that_trickles_in_is_cut_off(monkeypatch):
    monkeypatch.setattr(limits, "HEAD_SECONDS", 0.5)
    with live_server(make_app()) as address, socket.create_connection(address) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /api/info HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        assert closed_by_server(sock, trickle=b"a") is not None
        assert time.monotonic() - started < PATIENCE


def test_a_connection_that_sends_nothing_is_cut_off(monkeypatch):
    monkeypatch.setattr(limits, "HEAD_SECONDS", 0.5)
    with live_server(make_app()) as address, socket.create_connection(address) as sock:
        assert closed_by_server(sock) == b""


def test_a_request_body_that_trickles_in_is_a_408(monkeypatch):
    monkeypatch.setattr(limits, "BODY_SECONDS", 0.5)
    with live_server(make_app()) as address, socket.create_connection(address) as sock:
        sock.sendall(b"POST /api/validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100000\r\n\r\n{\"text\": \"")
        reply = closed_by_server(sock, trickle=b"a")
        assert reply is not None and reply.startswith(b"HTTP/1.1 408 ") and b"took over 0.5 s" in reply
        assert b"\r\nconnection: close\r\n" in reply.lower()     # and the server hangs up at once


def test_a_kept_connection_and_a_slow_reply_are_not_cut_off(monkeypatch):
    """The head timer waits for a request head, not for the reply: a reply may take longer."""
    monkeypatch.setattr(limits, "HEAD_SECONDS", 0.5)

    def slow_session(saved):
        time.sleep(1.5)
        return Session()
    with live_server(make_app(slow_session)) as (host, port):
        connection = http.client.HTTPConnection(host, port, timeout=PATIENCE)
        try:
            for _ in range(2):
                connection.request("POST", "/api/sessions", b"{}", {"Content-Type": "application/json"})
                reply = connection.getresponse()
                assert reply.status == 200 and "id" in json.loads(reply.read())
        finally:
            connection.close()


def test_past_the_connection_cap_a_request_is_answered_503_at_once(monkeypatch):
    monkeypatch.setattr(limits, "MAX_CONNECTIONS", 3)
    request = b"GET /api/info HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    with live_server(make_app()) as address:
        with socket.create_connection(address) as sock:
            sock.sendall(request)
            assert closed_by_server(sock).startswith(b"HTTP/1.1 200 ")
        idle = [socket.create_connection(address) for _ in range(3)]
        try:
            with socket.create_connection(address) as sock:
                sock.sendall(request)
                assert closed_by_server(sock).startswith(b"HTTP/1.1 503 ")
        finally:
            for s in idle:
                s.close()
