"""Settings read from the environment once, with the defaults documented here."""

from __future__ import annotations

import os
import secrets
import time

# Where the newsrooms this is made for are; DISPLAY_TIMEZONE sets another.
DEFAULT_DISPLAY_TIMEZONE = "Asia/Seoul"


def _env(name: str, default: str) -> str:
    """The variable's value, or the default when unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or default


def _env_bool(name: str, default: bool) -> bool:
    """A yes/no variable: 1, true, yes, on (any case) mean yes."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value in {"1", "true", "yes", "on"}


def _env_float(name: str, default: float) -> float:
    """A number variable; a value that is not a number is an error at start-up."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {value!r}") from None


def _env_list(name: str) -> list[str]:
    """A comma-separated variable as a list of non-empty items."""
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def normalize_database_url(url: str) -> str:
    """Point plain postgres URLs at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    """Every setting of the web app, each from the environment variable of the same name.

    Values that depend on the instance folder (the SQLite file, the model) are
    filled in by ``create_app`` when the variable is unset.
    """

    def __init__(self):
        # Sessions and the reader cookie are signed with this. Empty means a random key
        # generated once into the instance folder (shared by every worker of the host).
        self.SECRET_KEY = _env("SECRET_KEY", "")
        # Empty means a SQLite file in the instance folder.
        self.SQLALCHEMY_DATABASE_URI = normalize_database_url(_env("DATABASE_URL", ""))
        # Seconds to wait for a SQLite write lock or a PostgreSQL connection before the
        # request is answered 503 (try again later) instead of hanging.
        self.DATABASE_TIMEOUT = _env_float("DATABASE_TIMEOUT", 5.0)
        # Retry-After (seconds) sent with a 503 while the database cannot be reached.
        self.DATABASE_RETRY_AFTER = int(_env_float("DATABASE_RETRY_AFTER", 5))
        # Empty means instance/models/current.model (where `comment-mod train` is told to write).
        self.MODEL_PATH = _env("MODEL_PATH", "")
        # Toxicity at or above HOLD keeps a comment pending; at or above REVIEW flags it.
        self.HOLD_THRESHOLD = _env_float("HOLD_THRESHOLD", 0.85)
        self.REVIEW_THRESHOLD = _env_float("REVIEW_THRESHOLD", 0.5)
        # The same body this many times from one reader or IP within a day is held as spam.
        self.SPAM_REPEAT_LIMIT = int(_env_float("SPAM_REPEAT_LIMIT", 2))
        # Page size of the comment list.
        self.COMMENTS_PER_PAGE = int(_env_float("COMMENTS_PER_PAGE", 20))
        # Origins (scheme://host[:port]) of news sites allowed to embed the widget and
        # call the JSON API from their pages.
        self.ALLOWED_ORIGINS = _env_list("ALLOWED_ORIGINS")
        # Create an unknown article when an allowed site embeds it.
        self.EMBED_AUTO_CREATE = _env_bool("EMBED_AUTO_CREATE", True)
        # Rate limits: Flask-Limiter strings, ";" between several.
        self.RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
        self.RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", _env("REDIS_URL", "memory://"))
        self.COMMENT_LIMIT_PER_READER = _env(
            "COMMENT_LIMIT_PER_READER", "1 per 10 seconds;100 per day"
        )
        self.COMMENT_LIMIT_PER_IP = _env("COMMENT_LIMIT_PER_IP", "6 per minute;500 per day")
        self.ACTION_LIMIT_PER_READER = _env("ACTION_LIMIT_PER_READER", "60 per minute")
        # Votes and reports per address: a reader who drops the cookie between votes to
        # stuff the counts is still one address (a newsroom behind one NAT may raise it).
        self.ACTION_LIMIT_PER_IP = _env("ACTION_LIMIT_PER_IP", "300 per minute;3000 per day")
        # Failed moderator logins allowed per IP address.
        self.LOGIN_LIMIT = _env("LOGIN_LIMIT", "5 per minute;30 per hour")
        # Moderation queue page size, and how often (seconds) the page asks for new items.
        self.QUEUE_PER_PAGE = int(_env_float("QUEUE_PER_PAGE", 20))
        self.QUEUE_POLL_SECONDS = int(_env_float("QUEUE_POLL_SECONDS", 30))

        # A worker reuses the admins' settings (thresholds, word lists) it read for this
        # long; a change saved in another worker applies here within this time.
        self.SITE_SETTINGS_CACHE_SECONDS = _env_float("SITE_SETTINGS_CACHE_SECONDS", 3.0)
        # Requests per API key to the keyed scoring API (score, feedback).
        self.API_KEY_RATE_LIMIT = _env("API_KEY_RATE_LIMIT", "600 per minute")
        # A worker trusts a key it has checked for this long; a key revoked from the CLI
        # stops working within this time (at once when revoked in the same process).
        self.API_KEY_CACHE_SECONDS = _env_float("API_KEY_CACHE_SECONDS", 5.0)
        # Rate-limited answers carry Retry-After and X-RateLimit-* headers.
        self.RATELIMIT_HEADERS_ENABLED = _env_bool("RATELIMIT_HEADERS_ENABLED", True)
        # Scoring API: texts per request and characters per text.
        self.API_MAX_TEXTS = int(_env_float("API_MAX_TEXTS", 100))
        self.API_MAX_TEXT_LENGTH = int(_env_float("API_MAX_TEXT_LENGTH", 5000))
        # Largest request body in bytes (413 above it): room for 100 texts of 5,000
        # characters even when every character is sent as a \uXXXX escape.
        self.MAX_CONTENT_LENGTH = int(_env_float("MAX_CONTENT_LENGTH", 4 * 1024 * 1024))
        # Cookie settings: a widget embedded on another site over HTTPS needs
        # SESSION_COOKIE_SAMESITE=None and SESSION_COOKIE_SECURE=1.
        self.SESSION_COOKIE_SAMESITE = _env("SESSION_COOKIE_SAMESITE", "Lax")
        self.SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
        self.SESSION_COOKIE_HTTPONLY = True
        # A moderator's login ends after this many idle minutes, and in any case this
        # many hours after logging in (the reader's identity in the same cookie stays).
        self.MODERATOR_IDLE_MINUTES = _env_float("MODERATOR_IDLE_MINUTES", 60)
        self.MODERATOR_SESSION_HOURS = _env_float("MODERATOR_SESSION_HOURS", 12)
        # Flask-Login's remember cookie is not used; its flags follow the session cookie's,
        # and should one appear it lasts no longer than a login may.
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.REMEMBER_COOKIE_DURATION = int(self.MODERATOR_SESSION_HOURS * 3600)
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = self.SESSION_COOKIE_SAMESITE
        # Number of reverse proxies in front of the app whose X-Forwarded-For to trust.
        # Interface language when the reader chose none and the browser asks for none we
        # have: ko or en.
        self.DEFAULT_LOCALE = _env("DEFAULT_LOCALE", "ko")
        # The IANA time zone every time and date is shown in, and in which the date
        # filters' days begin and end (times are stored in UTC whatever this is).
        self.DISPLAY_TIMEZONE = _env("DISPLAY_TIMEZONE", DEFAULT_DISPLAY_TIMEZONE)
        self.PROXY_COUNT = int(_env_float("PROXY_COUNT", 0))
        # Retraining (comment-mod retrain). How often (seconds) each worker asks the
        # database whether another model version was promoted.
        self.MODEL_RELOAD_SECONDS = _env_float("MODEL_RELOAD_SECONDS", 3.0)
        # Our own labelled corpus, always part of the training set (native JSONL folder);
        # empty means training_data/train of the project.
        self.RETRAIN_BASE_DATA = _env("RETRAIN_BASE_DATA", "")
        # Public datasets added to training and their dev sets added to the evaluation
        # set: "format:path" items separated by ";" (formats: native, beep, unsmile, kmhas).
        self.RETRAIN_DATASETS = _env("RETRAIN_DATASETS", "")
        self.EVAL_DATASETS = _env("EVAL_DATASETS", "")
        # Our own held-out corpus, always part of the evaluation set; empty means
        # training_data/heldout of the project.
        self.EVAL_BASE_DATA = _env("EVAL_BASE_DATA", "")
        # The evaluation set's moderator slice, frozen on the first retrain: the newest
        # EVAL_FRACTION of moderator labels, at most EVAL_MAX_LABELS of them.
        self.EVAL_FRACTION = _env_float("EVAL_FRACTION", 0.2)
        self.EVAL_MAX_LABELS = int(_env_float("EVAL_MAX_LABELS", 2000))
        # The promotion gate: how much toxic F1 and each category's ROC-AUC may drop.
        self.RETRAIN_F1_MARGIN = _env_float("RETRAIN_F1_MARGIN", 0.01)
        self.RETRAIN_AUC_MARGIN = _env_float("RETRAIN_AUC_MARGIN", 0.01)
        # Comments re-scored per transaction after a promotion.
        self.RESCORE_BATCH = int(_env_float("RESCORE_BATCH", 200))
        self.PERMANENT_SESSION_LIFETIME = 365 * 24 * 3600
        self.WTF_CSRF_TIME_LIMIT = None
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    def as_dict(self) -> dict:
        """The settings as a mapping for ``app.config.from_mapping``."""
        return {k: v for k, v in vars(self).items() if k.isupper()}


def instance_secret_key(instance_path: str) -> str:
    """The key kept in ``instance/secret_key``, written on first use by whoever gets there first."""
    path = os.path.join(instance_path, "secret_key")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another worker may be writing it right now
            with open(path, encoding="ascii") as f:
                key = f.read().strip()
            if key:
                return key
            time.sleep(0.01)
        raise RuntimeError(f"{path} is empty: delete it or set SECRET_KEY") from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key + "\n")
    return key
