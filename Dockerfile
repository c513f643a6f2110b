# DL Playground: the API and the labs on port 8000, no internet needed at run time.
# Base image pinned by digest (python 3.11 slim, Debian bookworm); dependencies from the lock file.
FROM python:3.11.10-slim-bookworm@sha256:5148c0e4bbb64271bca1d3322360ebf4bfb7564507ae32dd639322e4952a6b16

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OPENBLAS_NUM_THREADS=1 \
    OMP_NUM_THREADS=1 \
    MKL_NUM_THREADS=1 \
    MALLOC_ARENA_MAX=2 \
    WEB_CONCURRENCY=2

WORKDIR /build
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

# A normal (non-editable) install: the pages, KaTeX and the code all land in site-packages,
# so the sources are removed afterwards.
COPY pyproject.toml README.md ./
COPY core ./core
COPY server ./server
COPY static ./static
RUN pip install --no-cache-dir --no-deps . \
    && rm -rf /build \
    && useradd --create-home --uid 10001 playground

WORKDIR /home/playground
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
# Workers from WEB_CONCURRENCY (one per core); each needs ~550 open files (ulimit -n 1024 fits).
CMD ["dl-playground", "--host", "0.0.0.0", "--port", "8000"]
