"""Tests of the container kit's consistency rule.

    python3 -m unittest deploy/checks/consistency_rules/test_docker.py

The reference is the binary's (`RATES_REFERENCE=FILE`, from
`rates config --reference json`), else the reference of target/debug/rates. Each test renames or breaks one thing and expects the rule to say so.
"""

from __future__ import annotations

import pathlib
import shutil
import sys
import tempfile
import unittest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from consistency import REPO, edited_reference as reference  # noqa: E402
from consistency_rules import docker  # noqa: E402

FILES = [docker.DOCKERFILE, *docker.COMPOSE_FILES, docker.ENV_EXAMPLE, docker.HAPROXY, docker.BUILD_SCRIPT]


class DockerRule(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.tmp)
        for name in FILES:
            (self.tmp / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(REPO / name, self.tmp / name)

    def findings(self, ref=None) -> list[str]:
        return docker.check(ref or reference(), self.tmp)

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.tmp / name
        text = path.read_text()
        self.assertIn(old, text, f"{name} no longer contains {old!r}: update the test")
        path.write_text(text.replace(old, new))

    def assertFinding(self, fragment: str, ref=None) -> None:
        found = self.findings(ref)
        self.assertTrue(any(fragment in f for f in found), f"no finding with {fragment!r} in {found}")

    def test_the_kit_is_consistent(self):
        self.assertEqual(self.findings(), [])

    def test_a_build_stage_variable_build_rs_does_not_read_fails(self):
        self.edit(docker.DOCKERFILE, "ENV GIT_REVISION=", "ENV RATES_GIT_REV=")
        self.assertFinding("RATES_GIT_REV is not a setting the binary reads")

    def test_a_renamed_setting_breaks_it(self):
        def rename(raw):
            for s in raw["settings"]:
                if s["env"] == "RATES_DB_PASSWORD_FILE":
                    s["env"] = "RATES_DB_PASSWORD_PATH"
                    s["aliases"] = []

        self.assertFinding("RATES_DB_PASSWORD_FILE is not a setting", reference(rename))

    def test_a_renamed_image_setting_breaks_it(self):
        def rename(raw):
            for s in raw["settings"]:
                if s["env"] == "RATES_SHUTDOWN_DELAY_SECS":
                    s["env"] = "RATES_DRAIN_SECS"

        self.assertFinding("Dockerfile (runtime): RATES_SHUTDOWN_DELAY_SECS", reference(rename))

    def test_a_renamed_subcommand_breaks_it(self):
        def rename(raw):
            raw["commands"] = [c for c in raw["commands"] if c != "db rotate"] + ["db rotate-login"]

        def drop_healthcheck(raw):
            raw["commands"] = [c for c in raw["commands"] if c != "healthcheck"]

        self.assertFinding("`rates db rotate` is not a rates subcommand", reference(rename))
        self.assertFinding("HEALTHCHECK: `rates healthcheck`", reference(drop_healthcheck))

    def test_port_path_and_uid_follow_the_binary(self):
        def move(raw):
            raw["http"]["default_port"] = 8080
            raw["http"]["readiness"] = "/ready"
            raw["image_uid"] = 1000

        found = self.findings(reference(move))
        for fragment in ("EXPOSE 3000", "publishes container port 3000", "backend port 3000",
                         "health check is not GET /ready", "USER 65532:65532"):
            self.assertTrue(any(fragment in f for f in found), f"{fragment!r} not in {found}")

    def test_no_secret_in_environment(self):
        self.edit("compose.yaml", "RATES_DB_NAME: rates\n", "RATES_DB_NAME: rates\n  PGPASSWORD: hunter2\n")
        self.assertFinding("secret setting PGPASSWORD has a value")
        self.edit("compose.yaml", "POSTGRES_DB: rates\n", "POSTGRES_DB: rates\n      POSTGRES_PASSWORD: hunter2\n")
        self.assertFinding("POSTGRES_PASSWORD looks like a secret")

    def test_the_api_never_logs_in_as_owner(self):
        self.edit("compose.yaml", "RATES_DB_USER_FILE: /run/rates/login/user",
                  "RATES_DB_USER: rates_owner")
        found = self.findings()
        self.assertTrue(any("must not log in as rates_owner" in f for f in found), found)
        self.assertTrue(any("rotation writes" in f for f in found), found)

    def test_migrations_run_as_owner(self):
        self.edit("compose.yaml", "RATES_DB_USER: rates_owner", "RATES_DB_USER: postgres")
        self.assertFinding("`migrate` must log in as rates_owner")

    def test_stop_grace_period_covers_the_shutdown(self):
        self.edit("compose.yaml", "stop_grace_period: 10s", "stop_grace_period: 8s")
        self.assertFinding("stop_grace_period 8s is not above shutdown delay + grace + 1 = 8s")

    def test_seed_command_is_a_subcommand(self):
        self.edit(".env.example", "SEED_COMMAND=demo", "SEED_COMMAND=seed-demo")
        self.assertFinding("`rates seed-demo` is not a rates subcommand")


if __name__ == "__main__":
    unittest.main()
