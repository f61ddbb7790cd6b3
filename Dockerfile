# syntax=docker/dockerfile:1
# Switchyard: a small image that runs as the unprivileged `node` user.
#   docker build -t switchyard:0.1.0 .
#   docker run --rm -p 4140:4140 -p 9990:9990 -v "$PWD/examples/configs:/config:ro" switchyard:0.1.0 run /config/ingress-outgoing.yaml
# The image also carries the demo apps: `node dist/examples/hello.js`, `node dist/examples/world.js`.

# Compile TypeScript and bundle the dashboard, with the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY examples ./examples
RUN npx tsc -p tsconfig.build.json && node scripts/build-ui.mjs

# Runtime dependencies only.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY bin ./bin
USER node
# outgoing, incoming, ingress, admin
EXPOSE 4140 4141 4142 9990
ENTRYPOINT ["node", "bin/switchyard.js"]
CMD ["run", "/config/config.yaml"]
