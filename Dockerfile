FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-por \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY bot ./bot
COPY nlu ./nlu
COPY flows ./flows
COPY backoffice ./backoffice
RUN pip install --no-cache-dir -c constraints.txt . && useradd --create-home acolhe \
    && mkdir -p /app/var && chown acolhe /app/var
USER acolhe
ENV ONBOARD_ENVIRONMENT=production
EXPOSE 8000
CMD ["onboard", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-workers"]
