__all__ = ["env"]
