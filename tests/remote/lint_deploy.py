"""Cross-file checks of the deployment files, beyond what hadolint and the schemas see.

The Deployment must agree with the Dockerfile (port, user) and with the server (probe paths,
drain notice and drain time), and the Service, HPA, PDB and kustomization with the Deployment.

Usage: python lint_deploy.py REPO   Prints one line per check, then `N passed, M failed`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2])
K8S = REPO / "deploy" / "kubernetes"
passed = failed = 0


def check(condition: bool, label: str, detail: Any = None) -> None:
    global passed, failed
    if condition:
        passed += 1
        print(f"ok    {label}")
    else:
        failed += 1
        print(f"FAIL  {label}" + ("" if detail is None else f": {detail}"))


def load(name: str) -> dict[str, Any]:
    docs = [d for d in yaml.safe_load_all((K8S / name).read_text()) if d]
    check(len(docs) == 1, f"{name}: one document", len(docs))
    return docs[0]


def main() -> int:
    dockerfile = (REPO / "Dockerfile").read_text()
    expose = re.search(r"^EXPOSE (\d+)", dockerfile, re.M)
    user = re.search(r"^USER (\d+)(?::(\d+))?", dockerfile, re.M)
    check(expose is not None and user is not None, "Dockerfile: EXPOSE and a numeric USER")
    check("cargo build --release --locked" in dockerfile, "Dockerfile: cargo build --release --locked")
    ignored = (REPO / ".dockerignore").read_text().split()
    for source in re.findall(r"^COPY (?!--from)(.+?) \S+$", dockerfile, re.M):
        for item in source.split():
            check(f"!{item.rstrip('/')}" in ignored or f"!{item.rstrip('/')}/" in ignored, f".dockerignore lets in {item} (COPY)", ignored)

    # Files the sources pull in at compile time must be in the build context too.
    allowed = [item[1:].rstrip("/") for item in ignored if item.startswith("!")]
    for source in sorted((REPO / "src").rglob("*.rs")):
        for included in re.findall(r'include_(?:bytes|str)!\(\s*"([^"]+)"', source.read_text()):
            path = (source.parent / included).resolve().relative_to(REPO.resolve()).as_posix()
            check(any(path == a or path.startswith(a + "/") for a in allowed), f"the image's build context has {path} ({source.relative_to(REPO)})", allowed)

    deployment = load("deployment.yaml")
    service = load("service.yaml")
    hpa = load("hpa.yaml")
    pdb = load("pdb.yaml")
    secret = load("secret.example.yaml")
    kustomization = load("kustomization.yaml")

    labels = deployment["spec"]["template"]["metadata"]["labels"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    check(selector.items() <= labels.items(), "Deployment: selector matches the pod labels", (selector, labels))
    check(service["spec"]["selector"].items() <= labels.items(), "Service: selector matches the pod labels")
    check(pdb["spec"]["selector"]["matchLabels"].items() <= labels.items(), "PodDisruptionBudget: selector matches the pod labels")
    check(pdb["spec"].get("minAvailable") == 2 and deployment["spec"]["replicas"] == 3, "3 replicas, PodDisruptionBudget minAvailable 2")
    target = hpa["spec"]["scaleTargetRef"]
    check((target["kind"], target["name"]) == ("Deployment", deployment["metadata"]["name"]), "HPA: scales the Deployment")
    check(hpa["spec"]["minReplicas"] >= pdb["spec"]["minAvailable"] + 1, "HPA: minReplicas leaves room for the disruption budget")

    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    check(expose is not None and ports.get("http") == int(expose.group(1)), f"container port http = Dockerfile EXPOSE ({ports})")
    listen = container["args"][container["args"].index("--listen") + 1]
    check(listen.endswith(f":{ports.get('http')}") and listen.startswith("0.0.0.0:"), f"--listen {listen} on the container port")
    check(service["spec"]["ports"][0]["targetPort"] in ("http", ports.get("http")), "Service: targets the container port")
    check(container["readinessProbe"]["httpGet"]["path"] == "/readyz", "readiness probe: /readyz")
    check(container["livenessProbe"]["httpGet"]["path"] == "/healthz", "liveness probe: /healthz")
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    check(bool(env.get("HEYGEN_MCP_ALLOWED_HOSTS")), "HEYGEN_MCP_ALLOWED_HOSTS is set", env)
    # After SIGTERM the server answers 503 for the notice period, then stops accepting and
    # lets calls in flight finish for the drain period; the preStop sleep comes before both.
    notice = int(env.get("HEYGEN_MCP_DRAIN_NOTICE_SECONDS") or 5)
    drain = int(env.get("HEYGEN_MCP_DRAIN_SECONDS") or 30)
    pre_stop = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    pause = int(pre_stop[-1]) if pre_stop[:1] == ["sleep"] else 0
    grace = pod.get("terminationGracePeriodSeconds", 30)
    check(
        grace > pause + notice + drain,
        f"terminationGracePeriodSeconds {grace} > preStop {pause} s + notice {notice} s + drain {drain} s",
    )
    security = {**pod.get("securityContext", {}), **container.get("securityContext", {})}
    check(security.get("runAsNonRoot") is True and security.get("readOnlyRootFilesystem") is True, "runAsNonRoot, readOnlyRootFilesystem")
    check(user is not None and security.get("runAsUser") == int(user.group(1)), f"runAsUser = the Dockerfile's USER ({security.get('runAsUser')})")
    limits = container["resources"]
    check("memory" in limits.get("limits", {}) and "cpu" in limits.get("requests", {}), "resources: a memory limit, a CPU request (the HPA needs it)")

    check(set(secret.get("stringData", {})) == {"HEYGEN_API_KEY", "HEYGEN_MCP_TOKEN"}, "secret.example.yaml: HEYGEN_API_KEY and HEYGEN_MCP_TOKEN, nothing else")
    listed = set(kustomization["resources"])
    present = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    check(listed == present, "kustomization.yaml lists every manifest but the optional Secret", sorted(listed ^ present))

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
