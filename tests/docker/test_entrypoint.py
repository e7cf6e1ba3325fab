"""docker/docker-entrypoint.sh run directly (no container engine needed): argument
handling as the official redis image's entrypoint, and the drop from root to the server's
user with the working directory's files handed over to it."""

import os
import pwd
import shutil
import subprocess
import tempfile
import time
import unittest

import _setup  # noqa: F401
import harness

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENTRYPOINT = os.path.join(REPO, "docker", "docker-entrypoint.sh")
BINARY = harness.gannet_binary()


class EntrypointTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="gannet-entry-")
        os.chmod(self.dir, 0o755)
        # PATH with a `gannet-server` that is the binary under test.
        self.bin = tempfile.mkdtemp(prefix="gannet-entry-bin-")
        os.symlink(BINARY, os.path.join(self.bin, "gannet-server"))
        self.env = dict(os.environ, PATH=self.bin + os.pathsep + os.environ["PATH"])
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
        shutil.rmtree(self.bin, ignore_errors=True)

    def start(self, *args, env=None):
        p = subprocess.Popen([ENTRYPOINT, *args], cwd=self.dir, env=env or self.env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        self.procs.append(p)
        return p

    def wait_ping(self, port, proc):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            self.assertIsNone(proc.poll(), "the server exited")
            try:
                with harness.RespClient(port, timeout=2) as c:
                    if c.call("PING") == "PONG":
                        return
            except OSError:
                time.sleep(0.05)
        self.fail("no PONG within 20 s")

    def config_get(self, port, name):
        with harness.RespClient(port) as c:
            return c.call("CONFIG", "GET", name)[1].decode()

    def test_options_only_run_the_server_listening_everywhere(self):
        port = harness.free_port()
        p = self.start("--port", str(port), "--maxmemory", "10mb")
        self.wait_ping(port, p)
        self.assertEqual(self.config_get(port, "bind"), "0.0.0.0 -::")
        self.assertEqual(self.config_get(port, "protected-mode"), "no")
        self.assertEqual(self.config_get(port, "maxmemory"), str(10 * 1024 * 1024))

    def test_callers_bind_overrides_the_default(self):
        port = harness.free_port()
        p = self.start("--port", str(port), "--bind", "127.0.0.1")
        self.wait_ping(port, p)
        self.assertEqual(self.config_get(port, "bind"), "127.0.0.1")

    def test_config_file_first_argument_keeps_its_settings(self):
        port = harness.free_port()
        conf = os.path.join(self.dir, "my.conf")
        with open(conf, "w") as f:
            f.write("bind 127.0.0.1\nmaxmemory-samples 7\n")
        p = self.start(conf, "--port", str(port))
        self.wait_ping(port, p)
        self.assertEqual(self.config_get(port, "bind"), "127.0.0.1")
        self.assertEqual(self.config_get(port, "maxmemory-samples"), "7")

    def test_other_commands_are_executed(self):
        r = subprocess.run([ENTRYPOINT, "echo", "hello"], capture_output=True, env=self.env,
                           timeout=10)
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout, b"hello\n")

    @unittest.skipUnless(os.geteuid() == 0, "dropping privileges needs root")
    def test_root_drops_to_the_server_user_and_hands_over_the_files(self):
        user = pwd.getpwnam("nobody")
        stale = os.path.join(self.dir, "notes.txt")  # any file a previous run left behind
        with open(stale, "w") as f:
            f.write("x")
        os.chown(stale, 0, 0)
        # The binary must be reachable for the unprivileged user.
        for d in (self.bin,):
            os.chmod(d, 0o755)
        port = harness.free_port()
        env = dict(self.env, GANNET_USER="nobody")
        p = self.start("--port", str(port), env=env)
        self.wait_ping(port, p)
        with harness.RespClient(port) as c:
            pid = int(c.call("INFO", "server").decode().split("process_id:")[1].split()[0])
        with open(f"/proc/{pid}/status") as f:
            uid_line = next(line for line in f if line.startswith("Uid:"))
        self.assertEqual(int(uid_line.split()[1]), user.pw_uid, uid_line)
        self.assertEqual(os.stat(stale).st_uid, user.pw_uid)


if __name__ == "__main__":
    unittest.main(verbosity=2)
