# tuile: build on Debian bookworm with GDAL 3.6, run on bookworm-slim.
FROM rust:1-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgdal-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN cargo build --release --locked && strip target/release/tuile

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgdal32 fonts-dejavu-core curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /srv/tuile --shell /usr/sbin/nologin tuile
WORKDIR /srv/tuile
COPY --from=build /src/target/release/tuile /usr/local/bin/tuile
COPY tuile.toml ./
COPY capabilities ./capabilities
COPY styles ./styles
RUN mkdir data && chown tuile:tuile data
USER tuile
ENV TUILE_DATA=/srv/tuile/data
VOLUME /srv/tuile/data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
  CMD curl -fs "http://127.0.0.1:8080/wms?SERVICE=WMS&REQUEST=GetCapabilities" -o /dev/null || exit 1
# Generates the demo data into the volume on first start, then serves it.
CMD ["sh", "-c", "[ -f \"$TUILE_DATA/MANIFEST.json\" ] || tuile demo-data --scale full --out \"$TUILE_DATA\"; exec tuile serve --bind 0.0.0.0:8080"]
