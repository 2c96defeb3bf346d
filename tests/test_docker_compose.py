"""Container files (Dockerfile, .dockerignore, docker-compose.yml, docker/), checked with no engine.

No Docker engine runs where these tests run, so they read the files and check what the stack relies on: the
services and their health checks, the start order, that every variable compose hands the app is one that
portal/settings.py reads, that the Dockerfile's build steps hold, and that the web servers' logs (gunicorn's in
the image, Django's development server) record paths without their query strings. `docker compose config` runs
only when the compose plugin is installed.
"""

import ast
import contextlib
import fnmatch
import gc
import importlib.util
import io
import logging
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from gunicorn.config import Config as GunicornConfig

from portal.logging import QueryStringFilter
from tests.integration.conftest import database_url_of_test_database

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
SETTINGS = ROOT / "portal" / "settings.py"
HEALTHCHECK_SCRIPT = ROOT / "docker" / "healthcheck.py"
GUNICORN_CONFIG = ROOT / "docker" / "gunicorn.conf.py"

APP_SERVICES = {"web", "worker", "beat"}
# Variables compose passes to the app containers that settings.py does not read, and who reads them.
NOT_FOR_SETTINGS = {"WEB_CONCURRENCY": "gunicorn's worker count"}
REQUIRED_IN_PRODUCTION = {"DJANGO_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}


# --- helpers ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def command_text(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def healthcheck_text(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else test


def env_names_read_by_settings() -> set[str]:
    """Names settings.py reads: env.str/bool/int/list/db_url/...("NAME"), env("NAME"), os.environ.get("NAME")."""
    names = set()
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            key = node.slice
        elif isinstance(node, ast.Call) and node.args:
            func = ast.unparse(node.func)
            if not (func == "env" or func.startswith("env.") or func in {"os.environ.get", "os.getenv"}):
                continue
            key = node.args[0]
        else:
            continue
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            names.add(key.value)
    return names


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with line continuations joined and comments dropped."""
    logical, current = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):  # a comment inside a continued instruction
            continue
        current += " " + stripped.removesuffix("\\").strip()
        if not stripped.endswith("\\"):
            logical.append(current.strip())
            current = ""
    pairs = []
    for instruction in logical:
        keyword, _, arguments = instruction.partition(" ")
        pairs.append((keyword.upper(), arguments.strip()))
    return pairs


def dockerfile_env() -> dict[str, str]:
    values = {}
    for keyword, arguments in dockerfile_instructions():
        if keyword == "ENV":
            for token in shlex.split(arguments):
                name, _, value = token.partition("=")
                values[name] = value
    return values


def dockerfile_runs() -> list[str]:
    return [arguments for keyword, arguments in dockerfile_instructions() if keyword == "RUN"]


def dockerignore_patterns() -> list[str]:
    lines = (line.strip() for line in DOCKERIGNORE.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def is_dockerignored(relative_path: str) -> bool:
    """Enough of Docker's rules for this file: a pattern excludes a path and everything under it."""
    parts = relative_path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in dockerignore_patterns():
        pattern = pattern.removeprefix("/")
        for prefix in prefixes:
            if fnmatch.fnmatch(prefix, pattern) or (
                pattern.startswith("**/") and fnmatch.fnmatch(prefix.split("/")[-1], pattern.removeprefix("**/"))
            ):
                return True
    return False


def load_healthcheck_module():
    spec = importlib.util.spec_from_file_location("portal_container_healthcheck", HEALTHCHECK_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_gunicorn_config():
    """docker/gunicorn.conf.py as gunicorn reads it: a module whose names are settings."""
    spec = importlib.util.spec_from_file_location("portal_gunicorn_config", GUNICORN_CONFIG)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dockerfile_cmd() -> list[str]:
    cmd = [arguments for keyword, arguments in dockerfile_instructions() if keyword == "CMD"][-1]
    return yaml.safe_load(cmd)  # the exec form is a JSON array


# --- docker-compose.yml: services, order and health -----------------------------------------------------


def test_compose_file_is_compose_spec_yaml_without_a_version_key(compose):
    assert isinstance(compose, dict)
    assert "version" not in compose
    assert isinstance(compose["services"], dict)


def test_compose_names_postgres_redis_web_worker_and_beat(services):
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")


def test_every_service_has_a_real_healthcheck(services):
    for name, service in services.items():
        healthcheck = service.get("healthcheck")
        assert healthcheck, f"{name} has no healthcheck"
        assert not healthcheck.get("disable"), f"{name} disables its healthcheck"
        test = healthcheck["test"]
        assert isinstance(test, list), f"{name}: use the CMD / CMD-SHELL list form"
        assert test[0] in {"CMD", "CMD-SHELL"} and len(test) > 1, f"{name}: healthcheck runs nothing"


def test_every_service_restarts_unless_stopped(services):
    for name, service in services.items():
        assert service.get("restart") == "unless-stopped", name


def test_postgres_and_redis_healthchecks_ask_the_servers_themselves(services):
    assert "pg_isready" in healthcheck_text(services["postgres"])
    redis_check = healthcheck_text(services["redis"])
    assert "redis-cli ping" in redis_check
    assert "PONG" in redis_check  # redis-cli exits 0 on an error reply such as LOADING


def test_web_runs_migrations_then_gunicorn(services):
    command = command_text(services["web"])
    migrate = command.find("python manage.py migrate --noinput")
    gunicorn = command.find("exec gunicorn portal.wsgi:application")
    assert migrate != -1, command
    assert gunicorn != -1, command
    assert migrate < gunicorn
    # && (not ;) so that a failed migration keeps the old code from serving the new schema.
    assert "&&" in command[migrate:gunicorn]
    assert "--bind 0.0.0.0:8000" in command[gunicorn:]
    assert "--access-logfile -" in command[gunicorn:]


def test_web_publishes_port_8000(services):
    published = [str(port) for port in services["web"]["ports"]]
    assert any(port.endswith(":8000") for port in published), published


def test_app_services_start_after_postgres_and_redis_are_healthy(services):
    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        assert isinstance(depends_on, dict), f"{name}: depends_on needs conditions"
        for dependency in ("postgres", "redis"):
            assert depends_on[dependency]["condition"] == "service_healthy", f"{name} -> {dependency}"


def test_worker_and_beat_wait_for_web_so_the_schema_is_migrated(services):
    for name in ("worker", "beat"):
        assert services[name]["depends_on"]["web"]["condition"] == "service_healthy", name


def test_web_healthcheck_gets_the_health_endpoint_through_python(services):
    test = services["web"]["healthcheck"]["test"]
    assert test[:4] == ["CMD", "python", "docker/healthcheck.py", "web"]
    assert "http://127.0.0.1:8000/health/" in test
    assert "urllib.request" in HEALTHCHECK_SCRIPT.read_text()


def test_worker_runs_celery_and_pings_its_own_node(services):
    worker = services["worker"]
    assert command_text(worker).startswith("celery -A portal worker -l info")
    test = worker["healthcheck"]["test"]
    # CMD-SHELL so that the container's shell expands $HOSTNAME; $$ is compose's escape for a literal $.
    assert test[0] == "CMD-SHELL"
    assert "celery -A portal inspect ping" in test[1]
    assert "celery@$$HOSTNAME" in test[1]


def test_beat_writes_its_schedule_into_the_var_volume_and_its_healthcheck_watches_it(services, compose):
    beat = services["beat"]
    command = command_text(beat)
    assert command.startswith("celery -A portal beat -l info")
    var_dir = compose["x-app-environment"]["PORTAL_VAR_DIR"]
    # Without --schedule beat uses CELERY_BEAT_SCHEDULE_FILENAME, which settings.py puts in PORTAL_VAR_DIR.
    if "--schedule" in command:
        assert f"--schedule {var_dir}/" in command
    else:
        assert 'CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")' in SETTINGS.read_text()
    assert any(volume.split(":")[1] == var_dir for volume in beat["volumes"]), beat["volumes"]
    assert beat["healthcheck"]["test"][:4] == ["CMD", "python", "docker/healthcheck.py", "beat"]


def test_web_and_worker_share_the_media_volume_at_media_root(services, compose):
    media_root = compose["x-app-environment"]["MEDIA_ROOT"]
    for name in ("web", "worker"):
        mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in services[name]["volumes"]}
        assert mounts.get(media_root) == "media", f"{name} mounts {mounts}"


def test_named_volumes_are_declared_and_postgres_keeps_its_data_in_one(services, compose):
    declared = set(compose["volumes"])
    assert {"pgdata", "media", "var"} <= declared
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/", "~")):
                assert source in declared, f"{name} uses undeclared volume {source}"
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]


def test_web_worker_and_beat_run_one_image_with_the_shared_environment(services, compose):
    assert {name for name, service in services.items() if "build" in service} == APP_SERVICES
    shared = compose["x-app-environment"]
    images = {services[name]["image"] for name in APP_SERVICES}
    assert len(images) == 1, images
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert isinstance(environment, dict), f"{name}: use the mapping form"
        assert shared.items() <= environment.items(), f"{name} does not carry the shared environment"


# --- docker-compose.yml: the environment the app gets ---------------------------------------------------


def test_the_settings_parser_finds_the_names_settings_reads():
    names = env_names_read_by_settings()
    # env.str / env.list / env.db_url / env.bool / env.int, and os.environ.get for PORTAL_VAR_DIR.
    expected = {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DEBUG", "DB_CONN_MAX_AGE", "PORTAL_VAR_DIR"}
    assert expected <= names, expected - names


def test_every_variable_compose_passes_to_the_app_is_read_by_settings(services):
    read = env_names_read_by_settings()
    for name in APP_SERVICES:
        unknown = set(services[name]["environment"]) - read - set(NOT_FOR_SETTINGS)
        assert not unknown, f"{name} passes {sorted(unknown)}, which portal/settings.py never reads"


def test_required_production_settings_are_passed(compose):
    environment = compose["x-app-environment"]
    assert environment.keys() >= REQUIRED_IN_PRODUCTION
    assert environment["DJANGO_ENV"] == "production"
    assert environment["SECRET_KEY"] == "${SECRET_KEY:?set SECRET_KEY in .env}"
    assert environment["ALLOWED_HOSTS"] == "${ALLOWED_HOSTS:-localhost,127.0.0.1}"
    assert re.fullmatch(r"postgres://portal:[^@]+@postgres:5432/portal", environment["DATABASE_URL"])
    assert environment["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert "CSRF_TRUSTED_ORIGINS" in environment


def test_ssl_redirect_defaults_off_for_local_http_and_debug_stays_off(compose):
    environment = compose["x-app-environment"]
    assert environment["SECURE_SSL_REDIRECT"] == "${SECURE_SSL_REDIRECT:-false}"
    assert "DEBUG" not in environment


def test_no_app_variable_can_interpolate_to_an_empty_string(services):
    # An empty value overrides the settings default (env.str("X", default=...) returns "").
    for name in APP_SERVICES:
        for variable, value in services[name]["environment"].items():
            for expression in re.findall(r"\$\{([^}]*)\}", str(value)):
                assert re.fullmatch(r"\w+(:-.+|:\?.+)", expression), f"{name}.{variable}: ${{{expression}}}"


def test_paths_in_compose_match_the_dockerfile_defaults(compose):
    environment, image_env = compose["x-app-environment"], dockerfile_env()
    for variable in ("MEDIA_ROOT", "PORTAL_VAR_DIR"):
        assert environment[variable] == image_env[variable], variable
    assert image_env["DJANGO_ENV"] == "production"
    assert image_env["STATIC_ROOT"]


# --- Dockerfile -----------------------------------------------------------------------------------------


def test_dockerfile_builds_on_python_311_slim_bookworm():
    froms = [arguments for keyword, arguments in dockerfile_instructions() if keyword == "FROM"]
    assert froms == ["python:3.11-slim-bookworm"]


def test_dockerfile_installs_only_the_runtime_requirements_without_a_cache():
    installs = [run for run in dockerfile_runs() if "pip install" in run]
    assert len(installs) == 1, installs
    assert "-r requirements.txt" in installs[0]
    assert "--no-cache-dir" in installs[0]
    assert "requirements-dev" not in DOCKERFILE.read_text()


def test_dockerfile_installs_the_debian_libraries_for_pdfs_and_upload_checks():
    apt = next(run for run in dockerfile_runs() if "apt-get install" in run)
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core", "libmagic1"):
        assert package in apt.split(), package
    assert "--no-install-recommends" in apt
    assert "rm -rf /var/lib/apt/lists/*" in apt


def test_dockerfile_collects_static_files_at_build_with_throwaway_production_settings():
    run = next(run for run in dockerfile_runs() if "collectstatic" in run)
    assert "python manage.py collectstatic --noinput" in run
    for variable in ("DJANGO_ENV=production", "SECRET_KEY=", "ALLOWED_HOSTS=", "DATABASE_URL="):
        assert variable in run, variable
    instructions = dockerfile_instructions()
    copy_app = instructions.index(("COPY", ". ./"))
    collect = next(i for i, (keyword, arguments) in enumerate(instructions) if "collectstatic" in arguments)
    assert copy_app < collect, "collectstatic must run after the code is copied"


@pytest.mark.integration
def test_the_dockerfile_collectstatic_step_works_with_its_own_values(tmp_path):
    run = next(run for run in dockerfile_runs() if "collectstatic" in run)
    assignments = dict(re.findall(r"\b([A-Z_]+)=(\S+)", run.split("python manage.py")[0]))
    keep = {"PATH", "HOME", "LANG", "SYSTEMROOT"}
    env = {key: value for key, value in os.environ.items() if key in keep}
    env.update(assignments, STATIC_ROOT=str(tmp_path / "static"), PORTAL_VAR_DIR=str(tmp_path / "var"))
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    # CompressedManifestStaticFilesStorage writes the manifest WhiteNoise serves hashed names from.
    assert (tmp_path / "static" / "staticfiles.json").is_file()


def test_dockerfile_runs_as_a_non_root_user():
    users = [arguments for keyword, arguments in dockerfile_instructions() if keyword == "USER"]
    assert users, "no USER instruction: the container would run as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    instructions = dockerfile_instructions()
    last_user = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "USER")
    assert all(keyword != "RUN" for keyword, _ in instructions[last_user:]), "RUN after USER would need root"
    if user.isdigit():
        assert any(f"--uid {user}" in run for run in dockerfile_runs()), "the UID has no account"


def test_dockerfile_makes_media_and_var_writable_for_the_app_user():
    image_env = dockerfile_env()
    chown = next(run for run in dockerfile_runs() if "chown" in run)
    for variable in ("MEDIA_ROOT", "PORTAL_VAR_DIR"):
        assert f"${variable}" in chown or image_env[variable] in chown, variable


def test_dockerfile_exposes_8000_and_serves_gunicorn_with_an_access_log():
    instructions = dockerfile_instructions()
    assert ("EXPOSE", "8000") in instructions
    cmd = [arguments for keyword, arguments in instructions if keyword == "CMD"][-1]
    command = yaml.safe_load(cmd)  # the exec form is a JSON array
    assert command[:2] == ["gunicorn", "portal.wsgi:application"]
    assert command[command.index("--bind") + 1] == "0.0.0.0:8000"
    assert command[command.index("--access-logfile") + 1] == "-"
    assert "WEB_CONCURRENCY" in dockerfile_env()  # gunicorn's default --workers


def test_every_file_the_dockerfile_copies_exists_and_is_in_the_build_context():
    copied = []
    for keyword, arguments in dockerfile_instructions():
        if keyword in {"COPY", "ADD"}:
            parts = [part for part in arguments.split() if not part.startswith("--")]
            copied.extend(parts[:-1])
    assert "requirements.txt" in copied
    for source in copied:
        assert (ROOT / source).exists(), source
        if source not in {".", "./"}:
            assert not is_dockerignored(source.removeprefix("./")), f"{source} is excluded by .dockerignore"
    # Files the containers run that arrive with `COPY . ./`.
    for needed in (
        "manage.py",
        "portal/wsgi.py",
        "portal/celery.py",
        "docker/healthcheck.py",
        "docker/gunicorn.conf.py",
        "static",
    ):
        assert (ROOT / needed).exists(), needed
        assert not is_dockerignored(needed), f"{needed} is excluded by .dockerignore"


def test_dockerignore_leaves_out_local_state_and_secrets():
    for path in (".venv", "node_modules", "var", "staticfiles", ".git", "test-results", ".env", ".pytest_cache"):
        assert is_dockerignored(path), path
    assert is_dockerignored("portal/__pycache__/settings.cpython-311.pyc")
    assert is_dockerignored(".ruff_cache/0.17.0/x")


# --- docker/healthcheck.py ------------------------------------------------------------------------------


class _HealthHandler(BaseHTTPRequestHandler):
    status_by_path = {"/health/": 200, "/down/": 503}
    hosts: list = []

    def do_GET(self):
        type(self).hosts.append(self.headers["Host"])
        status = self.status_by_path.get(self.path, 404)
        body = b'{"status": "ok"}' if status == 200 else b'{"status": "unavailable"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def health_server():
    _HealthHandler.hosts = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HealthHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_web_probe_is_healthy_only_on_a_2xx_answer(health_server):
    healthcheck = load_healthcheck_module()
    assert healthcheck.check_web(f"{health_server}/health/", timeout=5)[0] is True
    healthy, detail = healthcheck.check_web(f"{health_server}/down/", timeout=5)
    assert healthy is False
    assert "503" in detail


def test_web_probe_is_unhealthy_when_nothing_listens():
    healthcheck = load_healthcheck_module()
    with socket.socket() as sock:  # a port that was free a moment ago: the connection is refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    healthy, detail = healthcheck.check_web(f"http://127.0.0.1:{port}/health/", timeout=2)
    assert healthy is False
    assert "unreachable" in detail


def test_web_probe_sends_a_host_that_allowed_hosts_accepts(health_server):
    # Django answers 400 to Host: 127.0.0.1 when an operator sets ALLOWED_HOSTS to the public name only.
    healthcheck = load_healthcheck_module()
    healthcheck.check_web(f"{health_server}/health/", timeout=5, allowed_hosts="portal.example.org,localhost")
    healthcheck.check_web(f"{health_server}/health/", timeout=5, allowed_hosts=" .example.org")
    healthcheck.check_web(f"{health_server}/health/", timeout=5, allowed_hosts="*")
    assert _HealthHandler.hosts[:2] == ["portal.example.org", "example.org"]
    assert _HealthHandler.hosts[2].startswith("127.0.0.1:")


def test_beat_check_is_healthy_only_while_the_schedule_file_is_fresh(tmp_path):
    healthcheck = load_healthcheck_module()
    schedule = tmp_path / "celerybeat-schedule"
    healthy, detail = healthcheck.check_beat(schedule, max_age=600)
    assert healthy is False
    assert "no schedule file" in detail
    # The dbm module shelve picks may add suffixes (dbm.dumb writes .dat, .dir and .bak).
    (tmp_path / "celerybeat-schedule.dat").write_bytes(b"x")
    assert healthcheck.check_beat(schedule, max_age=600)[0] is True
    assert healthcheck.check_beat(schedule, max_age=600, now=time.time() + 601)[0] is False
    (tmp_path / "celerybeat-schedule-other-app").mkdir()  # a directory is not a schedule file
    assert healthcheck.check_beat(schedule, max_age=600, now=time.time() + 601)[0] is False


def test_healthcheck_script_exit_status_follows_the_check(tmp_path, monkeypatch, capsys):
    healthcheck = load_healthcheck_module()
    monkeypatch.setenv("PORTAL_VAR_DIR", str(tmp_path))
    assert healthcheck.main(["beat"]) == 1
    (tmp_path / "celerybeat-schedule").write_bytes(b"x")
    assert healthcheck.main(["beat", "--max-age", "600"]) == 0
    missing, fresh = capsys.readouterr().out.splitlines()
    assert missing == f"unhealthy: no schedule file at {tmp_path / 'celerybeat-schedule'}"
    assert fresh.startswith(f"healthy: {tmp_path / 'celerybeat-schedule'} written ")


# --- access logs: paths without query strings (an admin search puts a patient's name there) ---------------

SEARCH_WITH_A_NAME = "/admin/reference/member/?q=Anderson"


def test_gunicorn_access_log_format_records_the_path_without_the_query_string():
    access_log_format = load_gunicorn_config().access_log_format
    assert "%(U)s" in access_log_format  # the path alone
    # The request line, the query string, and the Referer (a full URL of our own pages, query included),
    # whether as atoms or as the header or environ variable behind them.
    for atom in ("%(r)s", "%(q)s", "%(f)s", "{referer}i", "{query_string}e", "{raw_uri}e", "{request_uri}e"):
        assert atom not in access_log_format.lower(), atom


def test_compose_web_and_the_dockerfile_start_gunicorn_with_that_config(services):
    command = command_text(services["web"])
    gunicorn = command[command.find("exec gunicorn portal.wsgi:application") :]
    assert "--config docker/gunicorn.conf.py" in gunicorn, command
    cmd = dockerfile_cmd()
    assert cmd[cmd.index("--config") + 1] == "docker/gunicorn.conf.py"
    assert not is_dockerignored("docker/gunicorn.conf.py")


def test_gunicorn_error_log_drops_query_strings(tmp_path):
    # "Error handling request GET /path?query" is what gunicorn logs when the application raises.
    config = GunicornConfig()
    config.set("errorlog", str(tmp_path / "error.log"))
    logger = load_gunicorn_config().logger_class(config)
    try:
        logger.error("Error handling request %s %s", "GET", SEARCH_WITH_A_NAME)
    finally:
        for log in (logger.error_log, logger.access_log):  # gunicorn's loggers are process-wide
            for handler in log.handlers[:]:
                log.removeHandler(handler)
                handler.close()
            log.filters.clear()
    written = (tmp_path / "error.log").read_text()
    assert "Error handling request GET /admin/reference/member/" in written
    assert "Anderson" not in written


def test_each_gunicorn_worker_freezes_its_heap_once_the_app_is_loaded():
    module = load_gunicorn_config()
    config = GunicornConfig()
    for name, value in vars(module).items():  # as gunicorn reads a config file: its names that are settings
        if name in config.settings:
            config.set(name, value)
    hook = config.post_worker_init
    assert hook is module.post_worker_init  # a setting gunicorn knows by that name, not its no-op default
    assert gc.get_freeze_count() == 0
    try:
        hook(worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_the_query_string_filter_strips_the_query_from_a_django_server_request_line():
    request_line = f"GET {SEARCH_WITH_A_NAME} HTTP/1.1"
    # What runserver's handler logs: log_message('"%s" %s %s', request line, status, size).
    args = (request_line, "200", "512")
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s', args, None)
    assert QueryStringFilter().filter(record) is True  # rewritten, never dropped
    assert record.getMessage() == '"GET /admin/reference/member/ HTTP/1.1" 200 512'


def test_the_query_string_filter_leaves_messages_without_a_query_alone():
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, "%s done: 100%% of %d?", ("Sync", 3), None)
    QueryStringFilter().filter(record)
    assert (record.msg, record.args) == ("%s done: 100%% of %d?", ("Sync", 3))


def test_the_development_server_logs_request_lines_without_the_query_string():
    # runserver's own request handler and the django.server logger as LOGGING configures it.
    def application(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    # LOGGING's handler (pytest adds its own capture handlers beside it).
    handlers = logging.getLogger("django.server").handlers
    (handler,) = [h for h in handlers if any(isinstance(f, QueryStringFilter) for f in h.filters)]
    written = io.StringIO()
    previous = handler.setStream(written)
    server = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(application)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}{SEARCH_WITH_A_NAME}"
        with urllib.request.urlopen(url, timeout=5) as response:
            assert response.status == 200
    finally:
        server.shutdown()
        server.server_close()
        handler.setStream(previous)
    assert '"GET /admin/reference/member/ HTTP/1.1" 200' in written.getvalue()
    assert "Anderson" not in written.getvalue()


def gunicorn_url(server: subprocess.Popen, error_log: Path, timeout: float = 8) -> str:
    """The address gunicorn bound (it was given port 0), from its "Listening at" line."""
    deadline = time.monotonic() + timeout
    while True:
        text = error_log.read_text() if error_log.exists() else ""
        listening = re.search(r"Listening at: (http://\S+)", text)
        if listening:
            return listening[1]
        assert server.poll() is None, f"gunicorn exited with {server.returncode}:\n{text}"
        assert time.monotonic() < deadline, f"gunicorn did not listen within {timeout} s:\n{text}"
        time.sleep(0.05)


@pytest.mark.integration
@pytest.mark.django_db
def test_gunicorn_with_the_config_logs_the_path_and_not_the_query(tmp_path):
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    env = {**os.environ, "DATABASE_URL": database_url_of_test_database()}
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "portal.wsgi:application"),
            *("--config", "docker/gunicorn.conf.py", "--bind", "127.0.0.1:0", "--workers", "1"),
            *("--access-logfile", str(access_log), "--error-logfile", str(error_log), "--no-control-socket"),
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        url = gunicorn_url(server, error_log)
        with contextlib.suppress(urllib.error.HTTPError):  # 200 or 503 (broker down): logged either way
            urllib.request.urlopen(f"{url}/health/?q=Secret", timeout=8).close()  # noqa: S310 - http, loopback
    finally:
        server.terminate()
        server.wait(timeout=10)
    line = access_log.read_text()
    assert '"GET /health/ HTTP/1.1"' in line, line
    assert "Secret" not in line
    assert "Secret" not in error_log.read_text()


# --- docker compose config (only where the compose plugin is installed) ----------------------------------


def _compose_cli() -> list[str]:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("the docker CLI is not installed")
    probe = subprocess.run([docker, "compose", "version"], capture_output=True, text=True, timeout=30, check=False)
    if probe.returncode != 0:
        pytest.skip("the docker compose plugin is not installed")
    return [docker, "compose", "--project-directory", str(ROOT), "-f", str(COMPOSE_FILE)]


def _run_compose_config(tmp_path, extra_env: dict) -> subprocess.CompletedProcess:
    cli = _compose_cli()
    env_file = tmp_path / "empty.env"  # so that a developer's .env does not decide the result
    env_file.write_text("")
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "POSTGRES_PASSWORD"}}
    env.update(extra_env)
    return subprocess.run(
        [*cli, "--env-file", str(env_file), "config", "-q"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_docker_compose_config_accepts_the_file(tmp_path):
    result = _run_compose_config(tmp_path, {"SECRET_KEY": "compose-config-check-only"})
    assert result.returncode == 0, result.stderr


def test_docker_compose_config_refuses_to_run_without_a_secret_key(tmp_path):
    result = _run_compose_config(tmp_path, {})
    assert result.returncode != 0
    assert "set SECRET_KEY in .env" in result.stderr
