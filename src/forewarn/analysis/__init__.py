"""Pure numpy analysis: anomaly scores, baselines, forecasts, change points, log templates."""
