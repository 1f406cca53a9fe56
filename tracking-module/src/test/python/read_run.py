"""Prints a run, or a registered model's files, as MLflow's own Python client reads them: JSON on
stdout, for the Java integration tests to compare with what chexnet logged.

    read_run.py TRACKING_URI run RUN_ID      # a server (http://...) or a local store (file:///...)
    read_run.py TRACKING_URI model MODEL_URI  # models:/NAME@ALIAS or models:/NAME/VERSION
"""

import hashlib
import json
import os
import sys
import tempfile

import mlflow
from mlflow.tracking import MlflowClient


def digests(root):
    files = {}
    for directory, _, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            with open(path, "rb") as f:
                files[os.path.relpath(path, root)] = hashlib.sha256(f.read()).hexdigest()
    return files


def read_run(client, run_id):
    run = client.get_run(run_id)
    metrics = {
        key: [[m.step, m.timestamp, m.value] for m in client.get_metric_history(run_id, key)]
        for key in run.data.metrics
    }
    artifacts = {}
    # MLflow cannot download the root of a run that has no artifacts at all (it then fetches the
    # root as a file, which the server does not have).
    if client.list_artifacts(run_id):
        with tempfile.TemporaryDirectory() as target:
            local = mlflow.artifacts.download_artifacts(run_id=run_id, dst_path=target)
            artifacts = digests(local)
    inputs = sorted(
        (
            {
                "name": i.dataset.name,
                "digest": i.dataset.digest,
                "source_type": i.dataset.source_type,
                "source": i.dataset.source,
                "schema": i.dataset.schema or None,
                "profile": i.dataset.profile or None,
                "context": {t.key: t.value for t in i.tags}.get("mlflow.data.context"),
            }
            for i in run.inputs.dataset_inputs
        ),
        key=lambda i: (i["name"], i["digest"], i["context"]),
    )
    return {
        "inputs": inputs,
        "info": {
            "run_name": run.info.run_name,
            "status": run.info.status,
            "start_time": run.info.start_time,
            "end_time": run.info.end_time,
            "experiment_name": client.get_experiment(run.info.experiment_id).name,
        },
        "params": run.data.params,
        "tags": run.data.tags,
        "metrics": metrics,
        "artifacts": artifacts,
    }


def read_model(model_uri):
    with tempfile.TemporaryDirectory() as target:
        return {"files": digests(mlflow.artifacts.download_artifacts(artifact_uri=model_uri, dst_path=target))}


def main(tracking_uri, what, name):
    mlflow.set_tracking_uri(tracking_uri)
    result = read_run(MlflowClient(), name) if what == "run" else read_model(name)
    json.dump(result, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
