"""Object detection: YOLOv8n-style detector (see common.py)."""
