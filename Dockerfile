# The bot: web process and workers share this image (command differs).
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml ./
COPY bot ./bot
COPY nlu ./nlu
COPY flows ./flows
COPY handoff ./handoff
COPY data ./data
COPY migrations ./migrations
COPY alembic.ini ./
RUN pip install --no-cache-dir . && python -m nlu train
EXPOSE 8000
CMD ["python", "-m", "bot", "serve"]
