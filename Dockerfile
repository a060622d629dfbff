# ecraudit container image: Debian 12 build stage, slim runtime with the PDF font.
#   docker build -t ecraudit --build-arg ECRAUDIT_VERSION="$(git describe --tags --always)" .
#   docker run --rm -v "$PWD/out:/reports" -e AWS_REGION=eu-west-1 ecraudit scan --out /reports/scan
# The runtime runs as an unprivileged user (65532) and writes only where --out points.

FROM debian:12 AS build
ARG ECRAUDIT_VERSION=
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential cmake pkg-config \
      libxml2-dev libcjson-dev libcurl4-openssl-dev libssl-dev libhpdf-dev ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DECRAUDIT_WERROR=ON \
      -DECRAUDIT_VERSION_OVERRIDE="${ECRAUDIT_VERSION}" \
 && cmake --build /build -j"$(nproc)" --target ecraudit_cli \
 && cd /build && cpack -G DEB -B /pkg

FROM debian:12-slim
# the .deb pulls in its runtime libraries and fonts-dejavu-core (the PDF's font)
COPY --from=build /pkg/*.deb /tmp/
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates /tmp/ecraudit_*.deb \
 && rm -rf /var/lib/apt/lists/* /tmp/*.deb \
 && ecraudit --version
USER 65532:65532
WORKDIR /reports
ENTRYPOINT ["ecraudit"]
CMD ["--help"]
