# syntax=docker/dockerfile:1
# TaskFlow API (and the migrate CLI, once the build has it): build with every dependency, run
# with production dependencies only, as the unprivileged `node` user.
ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS production-deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=8080
WORKDIR /app
# package.json: the API reports its version from it.
COPY --from=build /app/package.json ./
COPY --from=production-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8080
# The API runs as one bundled file (scripts/bundle.mjs: a third faster start, bench/README.md).
# It handles SIGTERM itself: readiness 503, drain, exit 0 (see docs/DEPLOYMENT.md).
STOPSIGNAL SIGTERM
CMD ["node", "dist/bundle/main.js"]
