"""Tuijin settings: one module, driven by environment variables (see README "配置")."""

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from tuijin.ops.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("TUIJIN_DATA_DIR", Path.cwd() / "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        # Generated once per installation and kept beside the data it protects.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "tuijin.org.admin_app.TuijinAdminConfig",  # django.contrib.admin, its site under 三权分立
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "tuijin.core",
    "tuijin.accounts",
    "tuijin.org",
    "tuijin.audit",
    "tuijin.jobs",
    "tuijin.projects",
    "tuijin.ledgerio",
    "tuijin.reports",
    "tuijin.schedules",
    "tuijin.problems",
    "tuijin.alerts",
    "tuijin.reminders",
    "tuijin.figures",
    "tuijin.scoring",
    "tuijin.bulletins",
    "tuijin.dashboards",
    "tuijin.demo",
    "tuijin.ops",
]

MIDDLEWARE = [
    "tuijin.ops.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "tuijin.core.middleware.SecurityHeadersMiddleware",  # outside WhiteNoise: static files get the headers too
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tuijin.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication, around everything else: sees the final status of every answer (a 404 made of
    # a domain NotFound, a CSRF 403) and records the 403s and 404s of signed-in users (拒绝访问).
    "tuijin.audit.middleware.AccessDeniedAuditMiddleware",
    "tuijin.core.middleware.SessionTimeoutMiddleware",
    "tuijin.accounts.middleware.AccountGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tuijin.core.middleware.RefuseNulCharactersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "tuijin.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "tuijin.urls"
WSGI_APPLICATION = "tuijin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tuijin.core.context_processors.tuijin",
                "tuijin.org.context_processors.places",
            ],
        },
    }
]


# The URL schemes Tuijin runs on (dj-database-url knows more, e.g. mysql, which we refuse).
SQLITE_SCHEMES = {"sqlite"}
POSTGRESQL_SCHEMES = {"postgres", "postgresql", "pgsql"}


# Session settings of every PostgreSQL connection, sent when it opens (libpq `options`); measured in
# docs/benchmarks.md ("PostgreSQL session settings"). A DATABASE_URL naming one of them in its own options
# (?options=-c%20work_mem%3D64MB) keeps its value.
POSTGRESQL_SESSION = {
    # Tuijin's queries take milliseconds: a parallel worker costs more to start than it saves and takes a
    # core from another request, and with one on offer PostgreSQL planned the ledger's sorted pages as a
    # Gather Merge feeding nested loops, 2-3x slower than the plain plan (the ledger's p95).
    "max_parallel_workers_per_gather": "0",
    # The figures' ledger pass keeps its groups in a hash table instead of sorting them on four keys.
    "work_mem": "16MB",
    # JIT compiles plans whose estimated cost passes jit_above_cost: the figures' ledger pass is just under
    # it at province scale, and compiling it took 25-40 ms of a query that runs in 45.
    "jit": "off",
}


def postgresql_session_options(options: str) -> str:
    """libpq's `options` with the POSTGRESQL_SESSION settings that `options` does not set itself."""
    named = set(re.findall(r"(?:-c\s*|--)([A-Za-z_.]+)\s*=", options))
    added = [f"-c {name}={value}" for name, value in POSTGRESQL_SESSION.items() if name not in named]
    return " ".join(part for part in (options.strip(), *added) if part)


def database_from_url(url: str) -> dict:
    """Turn DATABASE_URL into a Django DATABASES entry (sqlite:///path or postgresql://...).

    dj-database-url splits the URL (escapes, port, query options); this adds what Tuijin needs on top:
    only SQLite and PostgreSQL, a relative SQLite path resolved from the working directory, the SQLite
    locking options and the PostgreSQL connection reuse.
    """
    scheme = urlsplit(url).scheme
    if scheme not in SQLITE_SCHEMES | POSTGRESQL_SCHEMES:
        raise ValueError(f"DATABASE_URL: unsupported scheme {scheme!r} (use sqlite:/// or postgresql://)")
    if scheme in SQLITE_SCHEMES:
        # sqlite:///relative/path or sqlite:////absolute/path (the SQLAlchemy convention).
        db = dj_database_url.parse(url)
        name = db["NAME"]
        if name and name != ":memory:":
            name = str(Path(name).resolve())
        return {
            "ENGINE": "tuijin.core.sqlite",  # Django's backend, with writers queued (tuijin/core/sqlite/base.py)
            "NAME": name,
            # WAL + IMMEDIATE + busy timeout (concurrent writers on SQLite), so the deadline burst never
            # sees "database is locked". The database must live on a local disk (not NFS).
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            "TEST": {"NAME": os.environ.get("TUIJIN_TEST_SQLITE_NAME") or None},
        }
    db = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True)
    db.setdefault("OPTIONS", {})
    db["OPTIONS"]["options"] = postgresql_session_options(db["OPTIONS"].get("options", ""))
    db["PORT"] = str(db["PORT"])  # Django's settings keep the port as text
    db["TEST"] = {"NAME": os.environ.get("TUIJIN_TEST_PG_NAME") or None}
    return db


# The default path is quoted: a data directory may hold "#", "?" or "%" (the URL would split or decode them).
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{quote(str(DATA_DIR / 'tuijin.sqlite3'))}"
DATABASES = {"default": database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Password rules (等保 2.0 8.1.4.1 a; tuijin/accounts/validators.py, docs/security.md): on by default, each
# number from the environment. A forced change at the first login, after TUIJIN_PASSWORD_MAX_AGE_DAYS (0: never
# expires; a warning from TUIJIN_PASSWORD_WARN_DAYS before) and after an administrator's reset.
TUIJIN_PASSWORD_MIN_LENGTH = env_int("TUIJIN_PASSWORD_MIN_LENGTH", 8)
TUIJIN_PASSWORD_MIN_CLASSES = env_int("TUIJIN_PASSWORD_MIN_CLASSES", 3)
TUIJIN_PASSWORD_HISTORY = env_int("TUIJIN_PASSWORD_HISTORY", 5)
TUIJIN_PASSWORD_MAX_AGE_DAYS = env_int("TUIJIN_PASSWORD_MAX_AGE_DAYS", 90)
TUIJIN_PASSWORD_WARN_DAYS = env_int("TUIJIN_PASSWORD_WARN_DAYS", 7)
TUIJIN_PASSWORD_CHANGE_FIRST_LOGIN = env_bool("TUIJIN_PASSWORD_CHANGE_FIRST_LOGIN", True)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "tuijin.accounts.validators.LengthValidator"},
    {"NAME": "tuijin.accounts.validators.CharacterClassesValidator"},
    {"NAME": "tuijin.accounts.validators.UsernameValidator"},
    {"NAME": "tuijin.accounts.validators.CommonPasswordsValidator"},
    {"NAME": "tuijin.accounts.validators.HistoryValidator"},
] if env_bool("TUIJIN_PASSWORD_RULES", True) else []
# Second factor (等保 8.1.4.1 d: one factor cryptographic): TOTP (django-otp) for these roles; a user of
# such a role who has not enrolled is sent to enrolment after the password step. Others may enrol.
TUIJIN_SECOND_FACTOR_ROLES = env_list("TUIJIN_SECOND_FACTOR_ROLES", "admin,dispatcher,security,auditor")
OTP_TOTP_ISSUER = os.environ.get("TUIJIN_OTP_ISSUER", "推进重点项目平台")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login failures (等保 8.1.4.1 b): lock an account after 5 failures for 30 minutes, per username AND
# address, so nobody can lock the leader out from elsewhere; the real user still gets in from another
# address, after the cool-off, or when the admin unlocks (`tuijin axes_reset_username NAME`, or the
# 访问尝试 admin page). An address that fails 20 times in 15 minutes across any usernames (password
# spraying) is refused for those 15 minutes (core/lockout.py; `tuijin axes_reset_ip ADDRESS` lifts it).
AXES_FAILURE_LIMIT = env_int("TUIJIN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("TUIJIN_LOGIN_LOCK_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
TUIJIN_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("TUIJIN_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
TUIJIN_LOGIN_ADDRESS_WINDOW = timedelta(minutes=env_int("TUIJIN_LOGIN_ADDRESS_WINDOW_MINUTES", 15))
AXES_CLIENT_IP_CALLABLE = "tuijin.core.lockout.client_ip"  # behind the proxy: the address it appended
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# Sessions: 30 minutes idle (sliding), 12 hours absolute (ASVS 3.3.2).
SESSION_COOKIE_AGE = env_int("TUIJIN_SESSION_IDLE_SECONDS", 1800)
SESSION_ABSOLUTE_SECONDS = env_int("TUIJIN_SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

HTTPS = env_bool("TUIJIN_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("TUIJIN_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
TUIJIN_BEHIND_PROXY = env_bool("TUIJIN_BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TUIJIN_BEHIND_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("TUIJIN_STATIC_ROOT", DATA_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# The app serves its own assets through WhiteNoise: government intranets have no CDN.
# `tuijin collectstatic` fills STATIC_ROOT (make run does it); without it the finders serve them.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Ledger import (tuijin.ledgerio): file size and row limits, and how long an unconfirmed upload is kept.
TUIJIN_IMPORT_MAX_BYTES = int(float(os.environ.get("TUIJIN_IMPORT_MAX_MB", "20")) * 1024 * 1024)
TUIJIN_IMPORT_MAX_ROWS = int(os.environ.get("TUIJIN_IMPORT_MAX_ROWS", "20000"))
TUIJIN_IMPORT_KEEP_HOURS = float(os.environ.get("TUIJIN_IMPORT_KEEP_HOURS", "2"))
# Parsing an uploaded spreadsheet (ledger and report imports, web and CLI) runs in a child process capped
# at this much memory (MB, address space) and wall-clock time (s); a sheet's rows × columns is capped too.
TUIJIN_PARSE_MAX_MB = float(os.environ.get("TUIJIN_PARSE_MAX_MB", "300"))
TUIJIN_PARSE_TIMEOUT = float(os.environ.get("TUIJIN_PARSE_TIMEOUT", "10"))
TUIJIN_PARSE_MAX_CELLS = int(os.environ.get("TUIJIN_PARSE_MAX_CELLS", "2000000"))
TUIJIN_PARSE_ISOLATED = os.environ.get("TUIJIN_PARSE_ISOLATED", "1") != "0"
# Site photos on progress reports (tuijin.reports): size per image and images per report.
TUIJIN_PHOTO_MAX_MB = float(os.environ.get("TUIJIN_PHOTO_MAX_MB", "10"))
TUIJIN_PHOTOS_PER_REPORT = int(os.environ.get("TUIJIN_PHOTOS_PER_REPORT", "20"))
# Bulletins (tuijin.bulletins): a font file with Chinese glyphs for the charts; empty: found through fontconfig.
TUIJIN_CJK_FONT = os.environ.get("TUIJIN_CJK_FONT", "").strip()
# Separation of duties in the monthly dispatch: whoever handed a report in may not approve it. A tiny
# office where one person does both may allow it (TUIJIN_REVIEW_SELF_APPROVAL=1).
TUIJIN_REVIEW_SELF_APPROVAL = env_bool("TUIJIN_REVIEW_SELF_APPROVAL", False)
# Which monthly reports count for 本年累计完成 — on the ledger, its totals and export, the warnings and the
# overview alike (tuijin.reports.selectors.counted_states): "approved" (已审核, the default: figures the
# office has reviewed and would sign) or "handed_in" (also those submitted and awaiting review).
TUIJIN_COUNTED_REPORTS = os.environ.get("TUIJIN_COUNTED_REPORTS", "approved").strip() or "approved"
if TUIJIN_COUNTED_REPORTS not in ("approved", "handed_in"):
    raise ImproperlyConfigured("TUIJIN_COUNTED_REPORTS must be approved or handed_in")
# Outside channels for in-app messages (dotted paths of callables taking the new Notification rows): SMS, e-mail.
# tuijin.reminders queues each message for the outside channels a person chose (below), always first.
TUIJIN_NOTIFY_CHANNELS = ["tuijin.reminders.services.deliveries_enqueue",
                          *(c.strip() for c in os.environ.get("TUIJIN_NOTIFY_CHANNELS", "").split(",") if c.strip())]

# 消息提醒 (tuijin.reminders, docs/deploy.md): the outside channels the office offers (email, sms, wecom,
# dingtalk, file), those of a person who chose none, quiet hours (held, sent after), retries and the scan.
TUIJIN_REMINDER_CHANNELS = env_list("TUIJIN_REMINDER_CHANNELS", "")
TUIJIN_REMINDER_DEFAULT_CHANNELS = env_list("TUIJIN_REMINDER_DEFAULT_CHANNELS", "")
TUIJIN_REMINDER_BACKENDS = {
    "email": "tuijin.reminders.backends.EmailBackend",
    "sms": os.environ.get("TUIJIN_SMS_BACKEND", "tuijin.reminders.backends.SmsBackend"),
    "wecom": "tuijin.reminders.backends.WeComBackend",
    "dingtalk": "tuijin.reminders.backends.DingTalkBackend",
    "file": "tuijin.reminders.backends.FileBackend",
}
TUIJIN_REMINDER_QUIET = os.environ.get("TUIJIN_REMINDER_QUIET", "22:00-07:30").strip()
TUIJIN_REMINDER_MAX_ATTEMPTS = env_int("TUIJIN_REMINDER_MAX_ATTEMPTS", 5)
TUIJIN_REMINDER_RETRY_MINUTES = env_int("TUIJIN_REMINDER_RETRY_MINUTES", 5)  # doubled after each failure
TUIJIN_REMINDER_HTTP_TIMEOUT = env_int("TUIJIN_REMINDER_HTTP_TIMEOUT", 10)
TUIJIN_REMINDER_SITE_URL = os.environ.get("TUIJIN_REMINDER_SITE_URL", "").strip().rstrip("/")
TUIJIN_REMINDER_FILE = os.environ.get("TUIJIN_REMINDER_FILE", str(DATA_DIR / "reminders" / "outbox.jsonl"))
TUIJIN_REMINDER_EMAIL_SUBJECT = os.environ.get("TUIJIN_REMINDER_EMAIL_SUBJECT", "推进平台提醒")
TUIJIN_REMIND_REPORT_DAYS = [int(d) for d in env_list("TUIJIN_REMIND_REPORT_DAYS", "3,0")]
TUIJIN_REMIND_ORDER_DAYS = [int(d) for d in env_list("TUIJIN_REMIND_ORDER_DAYS", "3,0")]
TUIJIN_REMIND_REPEAT_DAYS = env_int("TUIJIN_REMIND_REPEAT_DAYS", 7)  # overdue and awaiting ones, again after
TUIJIN_SMS_URL = os.environ.get("TUIJIN_SMS_URL", "").strip()
TUIJIN_SMS_KEY = os.environ.get("TUIJIN_SMS_KEY", "").strip()
TUIJIN_SMS_SIGN = os.environ.get("TUIJIN_SMS_SIGN", "推进平台").strip()
TUIJIN_SMS_PAYLOAD = os.environ.get("TUIJIN_SMS_PAYLOAD", "tuijin.reminders.backends.sms_payload")
TUIJIN_WECOM_WEBHOOK = os.environ.get("TUIJIN_WECOM_WEBHOOK", "").strip()
TUIJIN_DINGTALK_WEBHOOK = os.environ.get("TUIJIN_DINGTALK_WEBHOOK", "").strip()
TUIJIN_DINGTALK_SECRET = os.environ.get("TUIJIN_DINGTALK_SECRET", "").strip()
# Django's mail for the e-mail channel: SMTP from the environment.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tuijin@localhost")
# Uploads larger than the import limit are refused before they are read (plus room for the form).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# /healthz fails when the data directory's disk has less free space than this (uploads, SQLite, backups).
TUIJIN_HEALTH_MIN_FREE_MB = env_int("TUIJIN_HEALTH_MIN_FREE_MB", 1024)
# JSON lines with the request id (tuijin/ops/logs.py); TUIJIN_LOG_FORMAT=text for a terminal.
LOGGING = logging_config(os.environ.get("TUIJIN_LOG_FORMAT", "json").strip().lower(),
                         os.environ.get("LOG_LEVEL", "WARNING"))

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# The audit trail (tuijin.audit): entries older than this many days are moved by `tuijin audit archive`
# to a file in <data dir>/audit/ that keeps the hash chain. At least 184 (网络安全法 Art. 21: network logs
# kept no less than six months, which is up to 184 days); a smaller value is refused.
TUIJIN_AUDIT_RETENTION_DAYS = env_int("TUIJIN_AUDIT_RETENTION_DAYS", 184)
if TUIJIN_AUDIT_RETENTION_DAYS < 184:
    raise ImproperlyConfigured("TUIJIN_AUDIT_RETENTION_DAYS must be at least 184 (six months, 网络安全法 Art. 21)")
TUIJIN_PAGE_SIZE = 50

# Background jobs (tuijin/jobs, docs/architecture.md "Background jobs and schedules"): django-tasks with its
# database backend, run by `tuijin worker`. TUIJIN_TASKS_BACKEND=immediate runs each job inside the request
# that starts it (no worker needed: a one-process trial, the test suite).
TUIJIN_TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TUIJIN_TASKS_BACKEND = os.environ.get("TUIJIN_TASKS_BACKEND", "database").strip() or "database"
if TUIJIN_TASKS_BACKEND not in TUIJIN_TASKS_BACKENDS:
    raise ImproperlyConfigured("TUIJIN_TASKS_BACKEND must be database or immediate")
TASKS = {"default": {"BACKEND": TUIJIN_TASKS_BACKENDS[TUIJIN_TASKS_BACKEND]}}
# A web request's bulk save re-judging more projects' warnings than this hands the re-judging to a job.
TUIJIN_REJUDGE_INLINE_MAX = env_int("TUIJIN_REJUDGE_INLINE_MAX", 200)
# A worker that has not written its heartbeat for this long is reported down by /healthz.
TUIJIN_WORKER_STALE_SECONDS = env_int("TUIJIN_WORKER_STALE_SECONDS", 180)
# Scheduled work: name → {"call": dotted path of a plain callable, "kwargs": {...}, and "daily": "HH:MM"
# (Asia/Shanghai) or "every_minutes": N}. `tuijin worker` enqueues each at its time, once per slot however
# many workers run. Another app adds its entry here (a plain callable; tuijin/jobs wraps it in a task).
TUIJIN_SCHEDULES = {
    "warnings": {"call": "tuijin.alerts.services.refresh_all", "daily": "02:00",
                 "title": "每日预警重算"},
    "overdue": {"call": "tuijin.problems.selectors.overdue_summary", "daily": "02:20",
                "title": "每日超期问题检查"},
    "audit-verify": {"call": "tuijin.audit.services.verify", "daily": "02:30",
                     "title": "审计链校验（最后一条的哈希记入后台进程日志）"},
    "audit-archive": {"call": "tuijin.audit.services.archive", "daily": "02:40",
                      "title": "审计记录归档"},
    "backup": {"call": "tuijin.ops.backup.scheduled_backup", "daily": "03:00",
               "title": "每日备份（含按保留策略清理）"},
    "prune-queue": {"call": "tuijin.jobs.services.prune_queue", "daily": "03:30", "kwargs": {"days": 30},
                    "title": "清理任务队列中30天前已完成的任务"},
    # tuijin.reminders: the day's deadline reminders queued after the quiet hours, then sent every few minutes.
    "reminders-scan": {"call": "tuijin.reminders.jobs.scan", "daily": "08:00",
                       "title": "到期与逾期提醒扫描"},
    "reminders-deliver": {"call": "tuijin.reminders.jobs.deliver",
                          "every_minutes": env_int("TUIJIN_REMINDER_DELIVER_MINUTES", 5),
                          "title": "发送消息提醒（邮件、短信、群机器人）"},
}
# Where the scheduled nightly backup writes (empty: <data dir>/backups).
TUIJIN_BACKUP_DIR = os.environ.get("TUIJIN_BACKUP_DIR", "").strip()
if not env_bool("TUIJIN_SCHEDULES_ENABLED", True):
    TUIJIN_SCHEDULES = {}
