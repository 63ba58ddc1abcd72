# The livetrust CLI as an image; docker-compose.yml runs it as `app` and `scheduler`.
FROM python:3.11-slim

WORKDIR /opt/livetrust
COPY pyproject.toml README.md LICENSE ./
COPY livetrust ./livetrust
COPY graph ./graph
COPY loaders ./loaders
COPY queries ./queries
COPY scripts ./scripts
RUN pip install --no-cache-dir . && useradd --create-home livetrust \
    # the output folder exists in the image, owned by the user: a new named volume mounted there
    # (docker-compose.yml's livetrust-out) takes its owner; created by Docker it would be root's
    && mkdir -p /work/livetrust-out /work/data && chown -R livetrust:livetrust /work
USER livetrust
WORKDIR /work
ENTRYPOINT ["livetrust"]
CMD ["--help"]
