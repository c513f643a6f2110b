"""Service settings, read from the environment (prefix ``DLP_``)."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_STATIC = Path(__file__).resolve().parent.parent / "static"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DLP_")

    static_dir: Path = REPO_STATIC  # the playground's pages, scripts and styles
    cors_origins: list[str] = []  # origins allowed to call the API from other sites


@lru_cache
def get_settings() -> Settings:
    return Settings()
