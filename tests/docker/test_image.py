"""The Docker image, end to end, when a container engine is usable here: build it with
docker/build-image.sh, run it, PING it, write and SAVE a key into a /data volume, restart
the container and find the key, check the healthcheck and the server's user. Without a
usable engine (CI machines start bare; `scripts/install-deps.sh --containers` installs
podman) the test is skipped and says why; test_entrypoint.py still covers the entrypoint."""

import os
import shutil
import subprocess
import tempfile
import time
import unittest

import _setup  # noqa: F401
import harness

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TAG = f"localhost/gannet:test-{os.getpid()}"


def engine_problem():
    """None when podman can run containers here, else why not."""
    podman = shutil.which("podman")
    if not podman:
        return "no container engine: podman is not installed"
    if not shutil.which("runc"):
        return "podman is installed but runc is not (crun cannot run on hybrid-cgroup hosts)"
    have_base = subprocess.run([podman, "image", "exists", "debian:bookworm-slim"],
                               capture_output=True).returncode == 0
    if not have_base and not shutil.which("debootstrap"):
        return "no debian:bookworm-slim image and no debootstrap to make one"
    return None


PROBLEM = engine_problem()


def podman(*args, timeout=60, check=True):
    r = subprocess.run(["podman", "--runtime", "runc", *args], capture_output=True,
                       timeout=timeout, text=True)
    if check and r.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)} failed: {r.stderr.strip()}")
    return r


@unittest.skipIf(PROBLEM, PROBLEM or "")
class ImageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        r = subprocess.run([os.path.join(REPO, "docker", "build-image.sh"), TAG], cwd=REPO,
                           capture_output=True, text=True, timeout=1500)
        if r.returncode != 0:
            raise AssertionError("image build failed:\n" + (r.stdout + r.stderr)[-4000:])

    @classmethod
    def tearDownClass(cls):
        podman("rmi", "-f", TAG, check=False)

    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="gannet-image-data-")
        self.cid = None

    def tearDown(self):
        if self.cid:
            podman("rm", "-f", "-t", "5", self.cid, check=False)
        shutil.rmtree(self.data, ignore_errors=True)

    def run_container(self, port):
        limits = ["--ulimit", "nofile=%d:%d" % ((os.sysconf("SC_OPEN_MAX"),) * 2),
                  "--ulimit", "nproc=32768:32768"]
        # GANNET_PORT tells the image's healthcheck where to PING.
        r = podman("run", "-d", "--network", "host", *limits, "-v", f"{self.data}:/data",
                   "-e", f"GANNET_PORT={port}", TAG, "--port", str(port), "--save", "3600 1")
        self.cid = r.stdout.strip()

    def wait_ping(self, port):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with harness.RespClient(port, timeout=2) as c:
                    if c.call("PING") == "PONG":
                        return
            except OSError:
                time.sleep(0.1)
        logs = podman("logs", self.cid, check=False)
        self.fail("no PONG from the container within 30 s:\n" + logs.stdout + logs.stderr)

    def test_runs_keeps_data_across_restart_and_is_healthy(self):
        port = harness.free_port()
        self.run_container(port)
        self.wait_ping(port)
        with harness.RespClient(port) as c:
            self.assertEqual(c.call("SET", "greeting", "hello"), "OK")
            self.assertEqual(c.call("SAVE"), "OK")
            pid = int(c.call("INFO", "server").decode().split("process_id:")[1].split()[0])
        self.assertTrue(os.path.exists(os.path.join(self.data, "dump.rdb")))
        # The server runs as the image's gannet user (uid 999) and owns its files.
        self.assertEqual(os.stat(os.path.join(self.data, "dump.rdb")).st_uid, 999)
        top = podman("top", self.cid, "user", "args").stdout
        self.assertIn("gannet-server", top)
        self.assertNotIn("root", [line.split()[0] for line in top.splitlines()[1:] if line])
        self.assertNotEqual(pid, 0)

        health = podman("healthcheck", "run", self.cid, check=False)
        self.assertEqual(health.returncode, 0, health.stdout + health.stderr)

        podman("restart", "-t", "10", self.cid, timeout=60)
        self.wait_ping(port)
        with harness.RespClient(port) as c:
            self.assertEqual(c.call("GET", "greeting"), b"hello")


if __name__ == "__main__":
    unittest.main(verbosity=2)
