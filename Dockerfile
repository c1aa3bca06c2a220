# tuile: build on Debian bookworm with GDAL 3.6, run on bookworm-slim as a
# non-root user. `docker build -t tuile .` then `docker run -p 8080:8080 tuile`.
FROM rust:1-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgdal-dev pkg-config nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# OpenLayers and proj4 for /viewer, at the versions of the lock file.
COPY viewer/package.json viewer/package-lock.json ./viewer/
RUN npm ci --prefix viewer --no-audit --no-fund
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY tuile-core ./tuile-core
COPY tuile-demo ./tuile-demo
COPY bench/bare_handler.rs ./bench/
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
COPY viewer/viewer.js viewer/viewer.css ./viewer/
COPY --from=build /src/viewer/node_modules/ol/dist/ol.js ./viewer/node_modules/ol/dist/ol.js
COPY --from=build /src/viewer/node_modules/ol/ol.css ./viewer/node_modules/ol/ol.css
COPY --from=build /src/viewer/node_modules/proj4/dist/proj4.js ./viewer/node_modules/proj4/dist/proj4.js
RUN mkdir data && chown tuile:tuile data
USER tuile
# Every setting of tuile.toml can be given as TUILE_<SECTION>__<KEY>.
ENV TUILE_DATA=/srv/tuile/data \
    TUILE_SERVER__BIND=0.0.0.0:8080 \
    TUILE_LOG_FORMAT=json
VOLUME /srv/tuile/data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
  CMD curl -fs http://127.0.0.1:8080/health -o /dev/null || exit 1
# Generates the demo data into the volume on first start, then serves it.
CMD ["sh", "-c", "[ -f \"$TUILE_DATA/MANIFEST.json\" ] || tuile demo-data --scale full --out \"$TUILE_DATA\"; exec tuile serve"]
