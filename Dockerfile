# foiflow: build the release binary, then a small runtime image with libpq.
FROM swift:6.2-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY Benchmarks ./Benchmarks
RUN swift build -c release --product foiflow --static-swift-stdlib

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/.build/release/foiflow /usr/local/bin/foiflow
# The letter templates shipped with foiflow (FOIFLOW_TEMPLATES names a folder that overrides them).
COPY --from=build /src/.build/release/foiflow_Letters.resources /usr/local/bin/foiflow_Letters.resources
COPY sql /usr/share/foiflow/sql
ENV FOIFLOW_SQL_DIR=/usr/share/foiflow/sql \
    FOIFLOW_LISTEN=0.0.0.0:7878
USER nobody
EXPOSE 7878
ENTRYPOINT ["foiflow"]
CMD ["serve"]
