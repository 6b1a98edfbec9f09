"""Status codes, list names and numeric error codes of MSNP2 (msnp2-reference §4, §5, §6)."""

from enum import IntEnum, StrEnum


class Status(StrEnum):
    ONLINE = "NLN"
    BUSY = "BSY"
    IDLE = "IDL"
    BE_RIGHT_BACK = "BRB"
    AWAY = "AWY"
    ON_THE_PHONE = "PHN"
    OUT_TO_LUNCH = "LUN"
    HIDDEN = "HDN"
    OFFLINE = "FLN"


SETTABLE_STATUSES = frozenset(s for s in Status if s is not Status.OFFLINE)
"""What a client may send in CHG (FLN is refused with 201 by every real server)."""

VISIBLE_STATUSES = frozenset(s for s in SETTABLE_STATUSES if s is not Status.HIDDEN)
"""What may appear in ILN and NLN."""


class ListName(StrEnum):
    FORWARD = "FL"
    ALLOW = "AL"
    BLOCK = "BL"
    REVERSE = "RL"


class Privacy(StrEnum):
    """BLP: what happens to people on neither the allow nor the block list."""

    ALLOW_ALL = "AL"
    BLOCK_ALL = "BL"


class ReverseListPrompt(StrEnum):
    """GTC: ask the user (A) or silently allow (N) when someone adds them."""

    ASK = "A"
    NEVER = "N"


class AckMode(StrEnum):
    UNACKNOWLEDGED = "U"
    NAK_ONLY = "N"
    ACKNOWLEDGED = "A"


class ErrorCode(IntEnum):
    SYNTAX_ERROR = 200
    INVALID_PARAMETER = 201
    INVALID_USER = 205
    FQDN_MISSING = 206
    ALREADY_LOGGED_IN = 207
    INVALID_USERNAME = 208
    INVALID_FRIENDLY_NAME = 209
    LIST_FULL = 210
    ALREADY_THERE = 215
    NOT_ON_LIST = 216
    PRINCIPAL_NOT_ONLINE = 217
    ALREADY_IN_THE_MODE = 218
    ALREADY_IN_OPPOSITE_LIST = 219
    SWITCHBOARD_FAILED = 280
    NOTIFY_XFR_FAILED = 281
    REQUIRED_FIELDS_MISSING = 300
    TOO_MANY_RESULTS = 301
    NOT_LOGGED_IN = 302
    INTERNAL_SERVER = 500
    DB_SERVER = 501
    BAD_PARAMETERS = 503
    SERVER_BUSY = 600
    SERVER_UNAVAILABLE = 601
    SERVER_GOING_DOWN = 604
    USER_TOO_ACTIVE = 713
    NOT_EXPECTED = 715
    AUTHENTICATION_FAILED = 911
    NOT_ALLOWED_WHEN_OFFLINE = 913
    NOT_ACCEPTING_NEW_USERS = 920
