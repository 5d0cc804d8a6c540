# One image for the API, the worker, the migrations and the simulators; the command picks the process.
#
# Build stage: every dependency (TypeScript, the type checker), `npm run build`: tsc emits dist/ and the workflow
# code is pre-bundled into dist/workflow-bundle.js, so a worker starts without running webpack.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY activities ./activities
COPY api ./api
COPY config ./config
COPY core ./core
COPY db ./db
COPY sandbox ./sandbox
COPY scripts ./scripts
COPY stellar ./stellar
COPY worker ./worker
COPY workflows ./workflows
RUN npm run build

# Runtime stage: production dependencies only and the compiled output; `node` runs JavaScript, nothing is
# transpiled at run time.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8000
# Other processes: node dist/worker/main.js, node dist/scripts/migrate.js up, node dist/sandbox/<bank|horizon|kyc>/main.js
CMD ["node", "dist/api/main.js"]
