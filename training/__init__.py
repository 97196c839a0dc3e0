"""Training side: dataset build, baselines, fine-tuning, evaluation, export and MLflow tracking."""
