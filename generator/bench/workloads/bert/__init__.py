"""Sentiment analysis: BERT-base with a 2-class head (see common.py)."""
