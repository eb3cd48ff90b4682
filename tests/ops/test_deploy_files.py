"""The shipped deployment files as scripts/smoke.py reads them (issue #19 §3): the smoke test needs nginx,
openssl and PostgreSQL and runs only in `make test`'s last step; these checks run everywhere, so a change
to deploy/ that the smoke test could no longer follow fails here first."""

import importlib.util
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


@pytest.fixture(scope="module")
def smoke():
    spec = importlib.util.spec_from_file_location("tuijin_smoke", ROOT / "scripts" / "smoke.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_web_unit_has_one_execstart_on_the_guides_port(smoke):
    unit = smoke.unit_directives(DEPLOY / "tuijin-web.service")
    assert len(unit["ExecStart"]) == 1
    argv = shlex.split(unit["ExecStart"][0])
    # The continuation line is joined: the options after the backslash are part of the command.
    assert argv[:2] == ["/opt/tuijin/.venv/bin/gunicorn", "tuijin.wsgi"]
    assert "--graceful-timeout" in argv and argv[argv.index("--bind") + 1] == "127.0.0.1:8000"
    assert unit["EnvironmentFile"] == ["/etc/tuijin/tuijin.env"]
    assert unit["WorkingDirectory"] == ["/var/lib/tuijin"]


def test_relocate_moves_every_production_path_and_only_whole_names(smoke, tmp_path):
    paths = smoke.path_map(tmp_path)
    site = smoke.relocate((DEPLOY / "nginx-tuijin.conf").read_text(encoding="utf-8"), paths)
    for production in paths:
        assert production not in site
    assert f"alias {tmp_path}/www/static/;" in site
    assert f"ssl_certificate     {tmp_path}/ssl/fullchain.pem;" in site
    assert smoke.relocate("/var/lib/tuijin-old /var/lib/tuijin/x", paths) == f"/var/lib/tuijin-old {tmp_path}/lib/x"


def test_nginx_site_has_each_anchor_the_smoke_test_replaces_once(smoke):
    site = (DEPLOY / "nginx-tuijin.conf").read_text(encoding="utf-8")
    for anchor in ("server 127.0.0.1:8000;", "listen 80;", "listen 443 ssl http2;"):
        replaced = smoke.replace_once(site, anchor, "listen 127.0.0.1:9;", "nginx-tuijin.conf")
        assert anchor not in replaced and replaced.count("listen 127.0.0.1:9;") == 1
    with pytest.raises(smoke.SmokeFailure, match="expected 'listen 8080;' once, found it 0 times"):
        smoke.replace_once(site, "listen 8080;", "X", "nginx-tuijin.conf")


def test_nginx_passes_the_scheme_wherever_it_proxies(smoke):
    """TUIJIN_HTTPS=1 redirects a request it takes for plain HTTP: every proxied location must say https
    (the smoke test found /healthz answering 301 to itself without it)."""
    site = (DEPLOY / "nginx-tuijin.conf").read_text(encoding="utf-8")
    blocks = re.findall(r"location [^{]+\{[^}]*\}", site)
    proxied = [b for b in blocks if "proxy_pass" in b]
    assert len(proxied) == 2
    for block in proxied:
        assert "proxy_set_header X-Forwarded-Proto $scheme;" in block, block


def test_static_files_live_outside_the_private_data_directory(smoke):
    values = smoke.env_file_values((DEPLOY / "tuijin.env.example").read_text(encoding="utf-8"))
    static_root, data_dir = values["TUIJIN_STATIC_ROOT"], values["TUIJIN_DATA_DIR"]
    assert not static_root.startswith(data_dir + "/")
    site = (DEPLOY / "nginx-tuijin.conf").read_text(encoding="utf-8")
    assert f"alias {static_root}/;" in site


def test_env_file_is_filled_in_by_key_and_a_missing_key_is_an_error(smoke):
    example = (DEPLOY / "tuijin.env.example").read_text(encoding="utf-8")
    filled = smoke.fill_env_file(example, {"DATABASE_URL": "postgresql://x@127.0.0.1:5432/y"})
    values = smoke.env_file_values(filled)
    assert values["DATABASE_URL"] == "postgresql://x@127.0.0.1:5432/y"
    assert values["TUIJIN_HTTPS"] == "1" and values["TUIJIN_BEHIND_PROXY"] == "1"
    assert filled.count("\n") == example.rstrip("\n").count("\n") + 1  # comments kept, nothing added
    with pytest.raises(smoke.SmokeFailure, match="no NOT_THERE line"):
        smoke.fill_env_file(example, {"NOT_THERE": "1"})


@pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(), reason="nginx not installed")
def test_the_shipped_site_passes_nginx_t(smoke, tmp_path):
    """`nginx -t` on the site as the smoke test relocates it (certificate made here, no server started)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    paths = smoke.path_map(tmp_path)
    (tmp_path / "ssl").mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "1", "-subj", "/CN=t", "-keyout", str(tmp_path / "ssl" / "privkey.pem"),
                    "-out", str(tmp_path / "ssl" / "fullchain.pem")], check=True, capture_output=True)
    site = smoke.relocate((DEPLOY / "nginx-tuijin.conf").read_text(encoding="utf-8"), paths)
    site = site.replace("listen 80;", "listen 127.0.0.1:1;").replace("listen 443 ssl", "listen 127.0.0.1:2 ssl")
    (tmp_path / "logs").mkdir()
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/logs/error.log;\nevents {{}}\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}/cb; proxy_temp_path {tmp_path}/p; "
        f"fastcgi_temp_path {tmp_path}/f; uwsgi_temp_path {tmp_path}/u; scgi_temp_path {tmp_path}/s; "
        f"include {tmp_path}/site.conf; }}\n", encoding="utf-8")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr
