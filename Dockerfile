# One image for the API, the worker and the simulators; the command picks the process.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc --noEmit
USER node
EXPOSE 8000
CMD ["npx", "tsx", "api/main.ts"]
