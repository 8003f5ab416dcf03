"""OCR benchmark: synthetic documents with ground truth and the accuracy/speed runner."""
