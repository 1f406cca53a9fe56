"""Reads a store written by LocalRunStore back with real MLflow, to prove the layout is MLflow's.

Run by MlflowReadsLocalStoreTest (mvn verify), or by hand on a store it wrote:

    python read_local_store.py STORE_DIR

It prints what MLflow read and exits non-zero on the first mismatch with what
MlflowReadsLocalStoreTest.java wrote.
"""

import sys

import mlflow
from mlflow.entities import RunStatus
from mlflow.tracking import MlflowClient


def expect(what, actual, expected):
    print(f"{what}: {actual}")
    if actual != expected:
        sys.exit(f"MISMATCH {what}: expected {expected!r}, got {actual!r}")


def main(store_dir):
    mlflow.set_tracking_uri(f"file://{store_dir}")
    client = MlflowClient()

    expect("default experiment", client.get_experiment("0").name, "Default")
    experiment = client.get_experiment_by_name("x")
    expect("experiment x lifecycle", experiment.lifecycle_stage, "active")

    runs = mlflow.search_runs(experiment_names=["x"], output_format="list")
    by_name = {run.info.run_name: run for run in runs}
    expect("run names", sorted(by_name), ["mlflow-check", "mlflow-check-crashed"])

    run = client.get_run(by_name["mlflow-check"].info.run_id)
    expect("status", run.info.status, RunStatus.to_string(RunStatus.FINISHED))
    expect("end_time set", run.info.end_time is not None and run.info.end_time >= run.info.start_time, True)
    expect("params", run.data.params, {"lr": "0.001", "model/arch": "densenet121"})
    expect("latest metrics", run.data.metrics, {"train/loss": 0.25, "val_auroc": 0.84})
    history = client.get_metric_history(run.info.run_id, "train/loss")
    expect("train/loss history (step, value)", [(m.step, m.value) for m in history], [(0, 0.9), (1, 0.5), (2, 0.25)])
    tags = run.data.tags
    expect("tag stage", tags.get("stage"), "check")
    expect("tag mlflow.runName", tags.get("mlflow.runName"), "mlflow-check")
    expect("tag chexnet.seed", tags.get("chexnet.seed"), "42")
    expect("tag chexnet.version.chexnet", tags.get("chexnet.version.chexnet"), "0.1.0-SNAPSHOT")
    print("tags:", {key: value for key, value in sorted(tags.items())})

    top = sorted((f.path, f.is_dir) for f in client.list_artifacts(run.info.run_id))
    expect("artifacts", top, [("eval", True), ("model", True), ("report.json", False)])
    expect("model artifacts", [f.path for f in client.list_artifacts(run.info.run_id, "model/saved_model/variables")],
           ["model/saved_model/variables/variables.index"])
    local = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="eval/per_label.csv")
    with open(local, encoding="utf-8") as csv:
        expect("eval/per_label.csv", csv.read(), "label,auroc\nEffusion,0.86\n")

    crashed = client.get_run(by_name["mlflow-check-crashed"].info.run_id)
    expect("crashed run status", crashed.info.status, RunStatus.to_string(RunStatus.FAILED))
    print("OK: MLflow read the store")


if __name__ == "__main__":
    main(sys.argv[1])
