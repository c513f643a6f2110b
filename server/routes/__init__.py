"""One router per lab, each under /api/v1/<lab>."""
