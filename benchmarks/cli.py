"""Command line of the benchmarks: `python -m benchmarks load|neo4j-start|...|virtual|all
[options]`."""

from __future__ import annotations

import argparse
import importlib.util
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.api_building import BuildingShape
from benchmarks.bench_api import ApiOptions, run_api
from benchmarks.bench_brick import DEFAULT_FILE, BrickOptions, run_brick
from benchmarks.bench_cli_start import CliStartOptions, run_cli_start
from benchmarks.bench_drift_structure import DEFAULT_DATA as DEFAULT_DRIFT_DATA
from benchmarks.bench_drift_structure import DriftStructureOptions, run_drift_structure
from benchmarks.bench_ifc import DEFAULT_FILE as DEFAULT_IFC_FILE
from benchmarks.bench_ifc import IfcOptions, run_ifc
from benchmarks.bench_ingest import IngestOptions, run_ingest
from benchmarks.bench_load import BenchmarkFailedError, LoadOptions, run_load
from benchmarks.bench_neo4j_start import DEFAULT_HEAP, StartOptions, run_neo4j_start
from benchmarks.bench_simulation import SimulationOptions, report_simulation, run_simulation
from benchmarks.bench_train import DEFAULT_FILE as DEFAULT_TRAIN_FILE
from benchmarks.bench_train import TrainOptions, run_train
from benchmarks.bench_virtual import VirtualOptions, run_virtual
from benchmarks.harness import info_table, machine_info, note, write_json
from benchmarks.neo4j_server import bench_server


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--repeat", type=_positive, default=3, help="measured rounds (default: 3)")
    common.add_argument(
        "--warmup", type=_not_negative, default=1, help="warm-up rounds first (default: 1)"
    )
    common.add_argument(
        "--heap",
        help=f"JVM heap of the local Neo4j (default: graphtwin's default, {DEFAULT_HEAP})",
    )
    common.add_argument("--json", type=Path, metavar="PATH", help="also write the results here")

    load = argparse.ArgumentParser(add_help=False)
    load.add_argument("--nodes", type=_positive, default=100_000, help="default: 100000")
    load.add_argument("--rels", type=_positive, default=200_000, help="default: 200000")
    load.add_argument("--seed", type=int, default=42, help="of the generated twin (default: 42)")
    load.add_argument(
        "--no-profile",
        dest="profile",
        action="store_false",
        help="skip the extra profiled round that shows where the time goes",
    )

    brick = argparse.ArgumentParser(add_help=False)
    brick.add_argument(
        "--brick-file",
        type=Path,
        default=DEFAULT_FILE,
        help="Brick model to import (default: ../shared/data/brick/groundtruth_gtc_brick.ttl)",
    )
    brick.add_argument(
        "--memory-mb",
        type=_not_negative,
        default=50,
        help="size of the model for the peak-memory measurement, 0 to skip (default: 50)",
    )

    bacnet = argparse.ArgumentParser(add_help=False)
    bacnet.add_argument("--objects", type=_positive, default=100, help="default: 100")
    bacnet.add_argument("--sweeps", type=_positive, default=5, help="polls per round (default: 5)")
    bacnet.add_argument(
        "--changes", type=_positive, default=5, help="COV changes per round (default: 5)"
    )

    mqtt = argparse.ArgumentParser(add_help=False)
    mqtt.add_argument("--messages", type=_positive, default=20_000, help="plain (default: 20000)")
    mqtt.add_argument("--ddata", type=_positive, default=2_000, help="Sparkplug (default: 2000)")
    mqtt.add_argument(
        "--metrics-per-ddata", type=_positive, default=50, help="Sparkplug (default: 50)"
    )

    ingest = argparse.ArgumentParser(add_help=False)
    ingest.add_argument("--points", type=_positive, default=100_000, help="default: 100000")
    ingest.add_argument(
        "--ingest-seconds", type=float, default=20.0, help="sustained run (default: 20)"
    )
    ingest.add_argument(
        "--rate",
        type=_positive,
        default=10_000,
        help="paced updates/s for latency (default: 10000)",
    )

    ifc = argparse.ArgumentParser(add_help=False)
    ifc.add_argument(
        "--ifc-file",
        type=Path,
        default=DEFAULT_IFC_FILE,
        help="IFC model to import (default: ../shared/data/ifc/webifc_Office_A_20110811.ifc)",
    )
    ifc.add_argument(
        "--large-elements",
        type=_not_negative,
        default=100_000,
        help="elements of the generated model, 0 to skip (default: 100000)",
    )

    api = argparse.ArgumentParser(add_help=False)
    api.add_argument("--floors", type=_positive, default=10, help="of the building (default: 10)")
    api.add_argument("--spaces-per-floor", type=_positive, default=25, help="default: 25")
    api.add_argument("--equipment-per-space", type=_positive, default=4, help="default: 4")
    api.add_argument("--points-per-equipment", type=_positive, default=10, help="default: 10")
    api.add_argument(
        "--latency-runs", type=_positive, default=50, help="measured requests (default: 50)"
    )
    api.add_argument(
        "--latency-warmup", type=_not_negative, default=10, help="warm-up requests (default: 10)"
    )
    api.add_argument("--clients", type=_positive, default=16, help="concurrent (default: 16)")
    api.add_argument(
        "--duration", type=_positive, default=30, help="seconds per throughput run (default: 30)"
    )
    api.add_argument(
        "--no-fusion",
        dest="fusion",
        action="store_false",
        help="serve with GRAPHTWIN_API_FUSION=false: the per-level planner (the 'before')",
    )

    training = argparse.ArgumentParser(add_help=False)
    training.add_argument(
        "--train-data",
        type=Path,
        default=DEFAULT_TRAIN_FILE,
        help="Brick model or folder (default: ../shared/data/brick/groundtruth_gtc_brick.ttl)",
    )
    training.add_argument("--device", default="cpu", help="cpu or cuda (default: cpu)")
    training.add_argument("--epochs", type=_positive, default=200, help="default: 200")

    virtual = argparse.ArgumentParser(add_help=False)
    virtual.add_argument(
        "--models",
        default="office_small,office_medium",
        help="bundled models, comma-separated (default: office_small,office_medium)",
    )
    virtual.add_argument("--weather", default="denver", help="default: denver")
    virtual.add_argument("--start", default="07-01", help="first simulated day (default: 07-01)")
    virtual.add_argument("--days", type=_positive, default=7, help="simulated days (default: 7)")
    virtual.add_argument(
        "--alone-repeat",
        type=_positive,
        default=5,
        help="measured rounds of EnergyPlus alone (default: 5; --repeat counts the chain's)",
    )

    simulation = argparse.ArgumentParser(add_help=False)
    simulation.add_argument(
        "--eplus-repeat",
        type=_not_negative,
        default=3,
        help="EnergyPlus runs per event for the speed ratio, 0 to skip (default: 3)",
    )

    energyplus_import = argparse.ArgumentParser(add_help=False)
    energyplus_import.add_argument(
        "--models", help="bundled models, comma-separated labels (default: all 32)"
    )
    energyplus_import.add_argument(
        "--workers", type=_positive, default=2, help="processes (default: 2)"
    )

    latency = argparse.ArgumentParser(add_help=False)  # asof, scale
    latency.add_argument(
        "--latency-runs", type=_positive, default=30, help="measured requests (default: 30)"
    )
    latency.add_argument(
        "--latency-warmup", type=_not_negative, default=5, help="warm-up requests (default: 5)"
    )

    asof = argparse.ArgumentParser(add_help=False)
    asof.add_argument(
        "--reimports",
        type=_positive,
        default=100,
        help="each changing 1%% of the nodes (default: 100)",
    )
    asof.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 1,000 points, 5 re-imports, 5 runs (not the issue's figures)",
    )

    scale = argparse.ArgumentParser(add_help=False)
    scale.add_argument(
        "--buildings", type=_positive, default=40, help="of the portfolio (default: 40, 1M nodes)"
    )
    scale.add_argument(
        "--points-per-equipment", type=_positive, default=24, help="per building (default: 24)"
    )
    scale.add_argument(
        "--pagecache",
        default="3g",
        help="page cache of the local Neo4j (default: 3g: the 40 buildings' 2.7 GB store fits)",
    )

    forecast = argparse.ArgumentParser(add_help=False)
    forecast.add_argument(
        "--datasets",
        type=Path,
        help="the recorded data set (default: ~/.cache/graphtwin/datasets)",
    )
    forecast.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 2 runs of each variant, 7 evaluation days, 1,000 points",
    )

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="graphtwin benchmarks against same-run baselines (see docs/benchmarks.md)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "load", parents=[common, load], help="load a generated twin: store vs bare driver"
    )
    commands.add_parser(
        "neo4j-start", parents=[common], help="cold start and restart of the local Neo4j"
    )
    commands.add_parser(
        "cli-start",
        parents=[common],
        help="graphtwin --version and a 30-node import as fresh processes, vs the interpreter",
    )
    commands.add_parser(
        "brick", parents=[common, brick], help="Brick import vs rdflib parsing the same file"
    )
    commands.add_parser(
        "ifc", parents=[common, ifc], help="IFC import vs the minimal read of the same file"
    )
    commands.add_parser(
        "api", parents=[common, api], help="GraphQL over HTTP vs the hand-written Cypher query"
    )
    commands.add_parser(
        "bacnet",
        parents=[common, bacnet],
        help="BACnet points/s by ReadPropertyMultiple and by COV vs bare bacpypes3",
    )
    commands.add_parser(
        "mqtt",
        parents=[common, mqtt],
        help="MQTT values/s into the pipeline (plain, Sparkplug B) vs bare aiomqtt",
    )
    commands.add_parser(
        "ingest",
        parents=[common, ingest],
        help="telemetry pipeline into Neo4j + history vs raw batched Neo4j SETs",
    )
    commands.add_parser(
        "train",
        parents=[common, training],
        help="drift-model training: the graph networks vs the scikit-learn baseline",
    )
    drift_structure = argparse.ArgumentParser(add_help=False)
    drift_structure.add_argument(
        "--data", type=Path, default=DEFAULT_DRIFT_DATA, help="Brick models (../shared/data/brick)"
    )
    drift_structure.add_argument("--seeds", type=_positive, default=3, help="corruption seeds")
    drift_structure.add_argument("--epochs", type=_positive, default=100, help="default: 100")
    drift_structure.add_argument(
        "--threshold", type=float, help="one threshold for every model finding (default: ml's)"
    )
    drift_structure.add_argument(
        "--no-sound", dest="sound", action="store_false", help="skip the sound twins"
    )
    drift_structure.add_argument(
        "--no-corruption",
        dest="corruption",
        action="store_false",
        help="skip the injected corruption (the real buildings only, with --no-sound)",
    )
    commands.add_parser(
        "drift",
        parents=[common, drift_structure],
        help="drift a facility manager can trust: drift-structure, then drift-behaviour",
    )
    commands.add_parser(
        "drift-structure",
        parents=[common, drift_structure],
        help="structural/semantic drift: sound twins, real buildings held out, corruption F1",
    )
    commands.add_parser(
        "virtual",
        parents=[common, virtual],
        help="EnergyPlus alone vs the chain EnergyPlus -> OPC UA -> sync -> Neo4j and history",
    )
    commands.add_parser(
        "simulation",
        parents=[common, simulation],
        help="zone thermal models vs EnergyPlus on AHU trips and setpoint actions",
    )
    behaviour = commands.add_parser(
        "drift-behaviour",
        parents=[common],
        help="behaviour-based drift on the recorded EnergyPlus runs (held out by building/climate)",
    )
    behaviour.add_argument(
        "--save-scorer",
        type=Path,
        default=None,
        help="store the learned episode scorer trained on every run here (what `graphtwin "
        "behaviour detect` loads from MODELS_DIR/behaviour-scorer)",
    )
    commands.add_parser(
        "inbox",
        parents=[common],
        help="the flight deck's inbox: 1,000 open drift issues read and ranked, 10,000 points",
    )
    commands.add_parser(
        "reasoning",
        parents=[common],
        help="constraint reasoning over the whole 10,000-point building, with and without rules",
    )
    commands.add_parser(
        "drift-labels",
        parents=[common],
        help="false-alarm labels teach the structural network: labelled vs unlabelled odd edges",
    )
    commands.add_parser(
        "simulation-api",
        parents=[common],
        help="what-if latency: simulate through the API on the medium office and 10,000 points",
    )
    commands.add_parser(
        "energyplus-import",
        parents=[common, energyplus_import],
        help="the EnergyPlus importer against EnergyPlus's own listing of every bundled model",
    )
    commands.add_parser(
        "asof",
        parents=[common, asof, latency],
        help="the building query as of a past time vs the present; 100 re-imports' cost",
    )
    commands.add_parser(
        "scale",
        parents=[common, scale, latency],
        help="a portfolio of 1M nodes: load, building query, paging, search, memory vs 1 building",
    )
    commands.add_parser(
        "forecast",
        parents=[common, forecast],
        help="per-point forecasts on the recorded runs: MASE, coverage, speed, early warning",
    )
    ui = argparse.ArgumentParser(add_help=False)
    ui.add_argument("--opens", type=_positive, default=10, help="per page (default: 10)")
    ui.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 2,000 points, 200 issues, 3 opens per page (not the issue's figures)",
    )
    commands.add_parser(
        "ui",
        parents=[common, ui],
        help="the flight deck in headless Chromium: every page, 10,000 points, 1,000 issues",
    )
    commands.add_parser(
        "all",
        parents=[common, load, brick, ifc, api, ingest, training, virtual],
        help="every benchmark, one after another",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    results: dict[str, Any] = {"machine": machine_info()}
    # Each report is printed (and the JSON rewritten) as soon as its benchmark is done, so a
    # later failure loses nothing.
    _emit("# graphtwin benchmarks\n\n## Machine and versions\n\n" + info_table(results["machine"]))

    if args.command in ("load", "all"):
        options = LoadOptions(
            nodes=args.nodes,
            rels=args.rels,
            repeat=args.repeat,
            warmup=args.warmup,
            seed=args.seed,
            profile=args.profile,
        )
        try:
            with bench_server(heap=args.heap or DEFAULT_HEAP) as server:
                load = run_load(options, server)
        except BenchmarkFailedError as exc:
            note(f"load benchmark FAILED: {exc}")
            return 2
        results["load"] = load.to_json()
        _emit(load.report(), args.json, results)

    if args.command in ("brick", "all"):
        if not args.brick_file.is_file():
            note(f"brick benchmark skipped: {args.brick_file} is absent (../shared/data)")
        else:
            options = BrickOptions(
                file=args.brick_file,
                repeat=args.repeat,
                warmup=args.warmup,
                memory_mb=args.memory_mb,
            )
            with bench_server(heap=args.heap or DEFAULT_HEAP) as server:
                brick_result = run_brick(options, server)
            results["brick"] = brick_result.to_json()
            _emit(brick_result.report(), args.json, results)

    if args.command in ("ifc", "all"):
        if not args.ifc_file.is_file():
            note(f"ifc benchmark skipped: {args.ifc_file} is absent (../shared/data)")
        else:
            ifc_options = IfcOptions(
                file=args.ifc_file,
                repeat=args.repeat,
                warmup=args.warmup,
                large_elements=args.large_elements,
            )
            with bench_server(heap=args.heap or DEFAULT_HEAP) as server:
                ifc_result = run_ifc(ifc_options, server)
            results["ifc"] = ifc_result.to_json()
            _emit(ifc_result.report(), args.json, results)

    if args.command in ("api", "all"):
        api_options = ApiOptions(
            shape=BuildingShape(
                args.floors,
                args.spaces_per_floor,
                args.equipment_per_space,
                args.points_per_equipment,
            ),
            runs=args.latency_runs,
            warmup=args.latency_warmup,
            clients=args.clients,
            duration_s=args.duration,
            fusion=args.fusion,
        )
        with bench_server(heap=args.heap or DEFAULT_HEAP) as server:
            api_result = run_api(api_options, server)
        results["api"] = api_result.to_json()
        _emit(api_result.report(), args.json, results)

    if args.command in ("ingest", "all"):
        ingest_options = IngestOptions(
            points=args.points, duration_s=args.ingest_seconds, rate=args.rate
        )
        with bench_server(heap=args.heap or DEFAULT_HEAP) as server:
            ingest_result = run_ingest(ingest_options, server)
        results["ingest"] = ingest_result.to_json()
        _emit(ingest_result.report(), args.json, results)

    if args.command in ("neo4j-start", "all"):
        start = run_neo4j_start(
            StartOptions(repeat=args.repeat, warmup=args.warmup, heap=args.heap or DEFAULT_HEAP)
        )
        if start is not None:
            results["neo4j_start"] = start.to_json()
            _emit(start.report(), args.json, results)

    if args.command == "bacnet":
        from benchmarks.bench_bacnet import BacnetOptions, run_bacnet

        bacnet = run_bacnet(
            BacnetOptions(args.objects, args.sweeps, args.changes, args.repeat, args.warmup)
        )
        results["bacnet"] = bacnet.to_json()
        _emit(bacnet.report(), args.json, results)

    if args.command == "mqtt":
        from benchmarks.bench_mqtt import MqttOptions, run_mqtt

        mqtt_results = run_mqtt(
            MqttOptions(
                messages=args.messages,
                ddata=args.ddata,
                metrics_per_ddata=args.metrics_per_ddata,
                repeat=args.repeat,
                warmup=args.warmup,
            )
        )
        results["mqtt"] = mqtt_results.to_json()
        _emit(mqtt_results.report(), args.json, results)

    if args.command in ("cli-start", "all"):
        with bench_server(heap=args.heap or DEFAULT_HEAP) as server:
            cli_start = run_cli_start(
                CliStartOptions(repeat=max(args.repeat, 10), warmup=args.warmup), server
            )
        results["cli_start"] = cli_start.to_json()
        _emit(cli_start.report(), args.json, results)

    if args.command in ("train", "all"):
        if not args.train_data.exists():
            note(f"train benchmark skipped: {args.train_data} is absent (../shared/data)")
        else:
            train_options = TrainOptions(
                data=args.train_data,
                repeat=args.repeat,
                warmup=args.warmup,
                device=args.device,
                epochs=args.epochs,
            )
            train_result = run_train(train_options)
            results["train"] = train_result.to_json()
            _emit(train_result.report(), args.json, results)

    if args.command in ("drift-structure", "drift"):
        if not args.data.exists():
            note(f"drift-structure benchmark skipped: {args.data} is absent (../shared/data)")
        else:
            drift_options = DriftStructureOptions(
                data=args.data,
                seeds=args.seeds,
                epochs=args.epochs,
                threshold=args.threshold,
                sound=args.sound,
                corruption=args.corruption,
            )
            drift_result = run_drift_structure(drift_options)
            results["drift_structure"] = drift_result.to_json()
            _emit(drift_result.report(), args.json, results)

    if args.command in ("virtual", "all"):
        if importlib.util.find_spec("pyenergyplus") is None:
            note("virtual benchmark skipped: EnergyPlus is not installed (graphtwin[energyplus])")
        else:
            virtual_options = VirtualOptions(
                models=tuple(m.strip() for m in args.models.split(",") if m.strip()),
                weather=args.weather,
                start=args.start,
                days=args.days,
                alone_repeat=args.alone_repeat,
                chain_repeat=args.repeat,
                warmup=args.warmup,
            )
            with bench_server(heap=args.heap or DEFAULT_HEAP) as server:
                virtual_result = run_virtual(virtual_options, server)
            results["virtual"] = virtual_result.to_json()
            _emit(virtual_result.report(), args.json, results)
    if args.command == "simulation":
        if importlib.util.find_spec("pyenergyplus") is None:
            note(
                "simulation benchmark skipped: EnergyPlus is not installed (graphtwin[energyplus])"
            )
        else:
            simulation_result = run_simulation(
                SimulationOptions(energyplus_repeats=args.eplus_repeat)
            )
            results["simulation"] = simulation_result
            _emit(report_simulation(simulation_result), args.json, results)
    if args.command == "simulation-api":
        if importlib.util.find_spec("pyenergyplus") is None:
            note("simulation-api skipped: EnergyPlus is not installed (graphtwin[energyplus])")
            return 0
        from benchmarks.bench_simulation_api import SimulationApiOptions, run_simulation_api

        with bench_server(heap=args.heap or DEFAULT_HEAP) as server:
            api_result = run_simulation_api(
                SimulationApiOptions(warmup=args.warmup, runs=args.repeat), server
            )
        results["simulation_api"] = api_result.to_json()
        _emit(api_result.report(), args.json, results)
    if args.command == "energyplus-import":
        if importlib.util.find_spec("pyenergyplus") is None:
            note("energyplus-import skipped: EnergyPlus is not installed (graphtwin[energyplus])")
            return 0
        # the bundled models are looked up when loaded: only where EnergyPlus is installed
        from benchmarks.bench_energyplus_import import (
            EnergyPlusImportOptions,
            run_energyplus_import,
        )
        from benchmarks.energyplus_listing import MODELS

        models = tuple(m.strip() for m in (args.models or ",".join(MODELS)).split(","))
        if unknown := sorted(set(models) - set(MODELS)):
            note(f"unknown models {unknown}; the bundled ones are {', '.join(MODELS)}")
            return 2
        listing = run_energyplus_import(
            EnergyPlusImportOptions(models=models, workers=args.workers)
        )
        results["energyplus_import"] = listing.to_json()
        _emit(listing.report(), args.json, results)
        if not listing.passed:
            return 2
    if args.command == "asof":
        from benchmarks.bench_asof import AsOfOptions, run_asof

        quick = args.quick
        asof_options = AsOfOptions(
            shape=BuildingShape(2, 5, 4, 25) if quick else BuildingShape(),
            runs=5 if quick else args.latency_runs,
            warmup=1 if quick else args.latency_warmup,
            reimports=5 if quick else args.reimports,
        )
        with bench_server(heap=args.heap or DEFAULT_HEAP) as server:
            asof_result = run_asof(asof_options, server)
        results["asof"] = asof_result.to_json()
        _emit(asof_result.report(), args.json, results)
    if args.command == "scale":
        from benchmarks.bench_scale import ScaleOptions, run_scale
        from benchmarks.portfolio import PortfolioShape

        building = BuildingShape(points_per_equipment=args.points_per_equipment)
        scale_options = ScaleOptions(
            shape=PortfolioShape(args.buildings, building=building),
            runs=args.latency_runs,
            warmup=args.latency_warmup,
        )
        with bench_server(heap=args.heap or DEFAULT_HEAP, pagecache=args.pagecache) as server:
            scale_result = run_scale(scale_options, server)
        results["scale"] = scale_result.to_json()
        _emit(scale_result.report(), args.json, results)
    if args.command in ("drift-behaviour", "drift"):
        from benchmarks.bench_drift_behaviour import (
            DriftBehaviourOptions,
            report_drift_behaviour,
            run_drift_behaviour,
        )

        results["drift_behaviour"] = run_drift_behaviour(
            DriftBehaviourOptions(save_scorer=getattr(args, "save_scorer", None))
        )
        _emit(report_drift_behaviour(results["drift_behaviour"]), args.json, results)
    if args.command == "inbox":
        from benchmarks.bench_inbox import InboxOptions, run_inbox

        with bench_server(heap=args.heap or DEFAULT_HEAP) as server:
            inbox_result = run_inbox(InboxOptions(), server)
        results["inbox"] = inbox_result.to_json()
        _emit(inbox_result.report(), args.json, results)

    if args.command == "reasoning":
        from benchmarks.bench_reasoning import run_reasoning

        with bench_server(heap=args.heap or DEFAULT_HEAP) as server:
            reasoning_result = run_reasoning(server)
        results["reasoning"] = reasoning_result.to_json()
        _emit(reasoning_result.report(), args.json, results)

    if args.command == "drift-labels":
        from benchmarks.bench_drift_labels import (
            DriftLabelsOptions,
            report_drift_labels,
            run_drift_labels,
        )

        labels_options = DriftLabelsOptions()
        if not labels_options.data.is_file():
            note(f"drift-labels skipped: {labels_options.data} is absent (../shared/data)")
            return 0
        labels_result = run_drift_labels(labels_options)
        results["drift_labels"] = labels_result.to_json()
        _emit(report_drift_labels(labels_result), args.json, results)
    if args.command == "forecast":
        from benchmarks.bench_forecast import ForecastOptions, report_forecast, run_forecast

        forecast_options = ForecastOptions(quick=args.quick, repeat=args.repeat)
        if args.datasets is not None:
            forecast_options = ForecastOptions(args.datasets, args.quick, args.repeat)
        results["forecast"] = run_forecast(forecast_options)
        _emit(report_forecast(results["forecast"]), args.json, results)
    if args.command == "ui":
        from benchmarks.bench_ui import UiOptions, run_ui

        ui_options = (
            UiOptions(BuildingShape(floors=2), issues=200, opens=3, warmup=1)
            if args.quick
            else UiOptions(opens=args.opens)
        )
        with bench_server(heap=args.heap or DEFAULT_HEAP) as server:
            ui_result = run_ui(ui_options, server)
        results["ui"] = ui_result.to_json()
        _emit(ui_result.report(), args.json, results)
    return 0


def _emit(
    report: str, json_path: Path | None = None, results: dict[str, Any] | None = None
) -> None:
    print(report + "\n", flush=True)
    if json_path is not None and results is not None:
        write_json(json_path, results)
        note(f"results written to {json_path}")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _not_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, not {value}")
    return value
