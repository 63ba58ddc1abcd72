# The livetrust CLI as an image; docker-compose.yml runs it as `app` and `scheduler`.
FROM python:3.11-slim

WORKDIR /opt/livetrust
COPY pyproject.toml README.md ./
COPY livetrust ./livetrust
COPY graph ./graph
COPY loaders ./loaders
COPY queries ./queries
RUN pip install --no-cache-dir . && useradd --create-home livetrust
USER livetrust
WORKDIR /work
ENTRYPOINT ["livetrust"]
CMD ["--help"]
