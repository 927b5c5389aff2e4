# Basalt as a drop-in for the amazon/dynamodb-local image: same port (8000), same command lines
# ("-jar DynamoDBLocal.jar -sharedDb -dbPath ./data", "-inMemory", ...), same working directory
# (/home/dynamodblocal, where compose files mount ./data), and a health check.
#
#   docker build --build-arg BASALT_COMMIT=$(git describe --tags --always --dirty) -t basalt .
#   docker run -p 8000:8000 basalt                                   # in memory, as the image's default
#   docker run -p 8000:8000 -v $PWD/data:/home/dynamodblocal/data basalt -jar DynamoDBLocal.jar -sharedDb -dbPath ./data

FROM debian:12 AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config librocksdb-dev libboost1.81-dev rapidjson-dev zlib1g-dev \
      libssl-dev libgoogle-perftools-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY cmake cmake
COPY packaging packaging
COPY src src
COPY README.md ./
COPY docs docs
ARG BASALT_COMMIT=unknown
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBASALT_BUILD_TESTS=OFF \
      -DBASALT_COMMIT="${BASALT_COMMIT}" \
 && cmake --build /build --target basalt \
 && strip /build/src/basalt

FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libsnappy1v5 liblz4-1 libzstd1 libbz2-1.0 zlib1g libtcmalloc-minimal4 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 1000 --create-home --home-dir /home/dynamodblocal --shell /bin/bash dynamodblocal
COPY --from=build /build/src/basalt /usr/local/bin/basalt
COPY packaging/dynamodb-local-entrypoint.sh /usr/local/bin/dynamodb-local-entrypoint
# The web console's pages (its charts' npm package is not in the image: the console says so).
COPY console/web /usr/local/share/basalt/console/web
USER dynamodblocal
WORKDIR /home/dynamodblocal
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/usr/local/bin/dynamodb-local-entrypoint", "--health"]
ENTRYPOINT ["/usr/local/bin/dynamodb-local-entrypoint"]
CMD ["-jar", "DynamoDBLocal.jar", "-inMemory"]
