# The bot: web process, workers and the migration job share this image (command differs).
# Runs as a fixed non-root uid (10001) so Kubernetes can check runAsNonRoot, and needs no
# writable path: the NLU model is trained into var/nlu at build time and only read at run
# time (nlu/model.py caches it by a hash of data/nlu, which the image does not change).
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml ./
COPY settings ./settings
COPY bot ./bot
COPY nlu ./nlu
COPY flows ./flows
COPY handoff ./handoff
COPY data ./data
COPY migrations ./migrations
COPY alembic.ini ./
RUN pip install --no-cache-dir . && python -m nlu train \
    && useradd --system --uid 10001 --gid 0 --no-create-home --home-dir /tmp tsunagu
USER 10001
EXPOSE 8000
CMD ["python", "-m", "bot", "serve"]
