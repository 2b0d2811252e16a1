"""The items table (filters, paging, each item's annotation history) and the export page."""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..authz import allowed
from ..core.formats.task_formats import export_formats_for
from ..core.formats.writers import EXPORT_FORMATS
from ..services import accounts, items, jobs, projects
from ..services import annotations as annotation_service
from . import pages_text_assist
from .pages_common import is_htmx, page, page_context, require_actor, see_other
from .rendering import render

router = APIRouter(include_in_schema=False)
router.include_router(pages_text_assist.router)  # an item's similar items, the model-quality card
PAGE_SIZE = 30
SORT_NAMES = {"id": "oldest first", "-id": "newest first", "-last_annotated_at": "recently labeled"}
STATUS_NAMES = {"all": "all items", "unlabeled": "not started", "in_progress": "in progress",
                "labeled": "labeled (complete)", "annotated": "with any annotation"}
EXPORT_KINDS = {
    "manifest": ("Ground Truth output manifest", "JSON lines: each input line; labeled items add the label "
                 "attribute and its -metadata (class, confidence, type, job name), as Ground Truth writes them."),
    "jsonl": ("Every annotation", "JSON lines: each item with all its annotations (every version, worker, "
              "active time) and the consolidated answer."),
    "csv": ("CSV", "One row per item: id, key, source, consolidated label, confidence, votes, workers."),
    "coco": ("COCO", "One JSON document: images, categories and the consolidated boxes, polygons "
             "(segmentation) or keypoints (or the imported pre-annotations of items not labeled yet)."),
    "yolo": ("YOLO", "A zip: classes.txt, one labels/<image>.txt per image (class cx cy w h, or a polygon's "
             "x1 y1 x2 y2 …, normalised) and images.jsonl with each image's reference and size."),
    "voc": ("Pascal VOC", "A zip: one XML annotation per image and labels.txt."),
    "masks": ("PNG masks", "A zip: one class-id PNG per image (masks/), labels.json with each class's id "
              "and colour, images.json with each image's reference and size."),
    "gt-segmentation": ("Ground Truth segmentation output", "A zip: output.manifest (the label as "
                        "<attribute>-ref with its internal-color-map) and the PNG label maps it names."),
    "conll": ("CoNLL-2003", "Token per line with its tag, a blank line between sentences: each item's own "
              "tokens and tag scheme when it was imported from CoNLL, else spaCy's tokens in BIO."),
    "conll/bilou": ("CoNLL-2003 (BILOU)", "As CoNLL-2003, with BILOU tags."),
    "jsonl-spans": ("JSON lines with spans", "One item per line: text, entities (code-point offsets), relations "
                    "and document labels, with the item's other fields; the lossless format."),
    "spacy-jsonl": ("spaCy / Prodigy JSONL", "One item per line, Prodigy's shape: text, tokens and spans "
                    "[{start, end, token_start, token_end, label}]."),
    "docbin": ("spaCy DocBin", "A .spacy file for spacy train: entities as doc.spans[\"sc\"] (and doc.ents when "
               "none overlap)."),
    "parquet": ("Parquet (Hugging Face datasets)", "One row per item: id, text, tokens, ner_tags (ClassLabel), "
                "entities, relations, document_labels; for text classification id, text, label(s)."),
    "dpo": ("TRL DPO pairs", "JSON lines for TRL's DPOTrainer: prompt, chosen, rejected (conversational) and margin; "
            "a k-way ranking gives every pair of different ranks."),
    "reward": ("TRL reward pairs", "JSON lines for TRL's RewardTrainer: chosen and rejected conversations, margin."),
    "kto": ("TRL KTO rows", "JSON lines for TRL's KTOTrainer: prompt, completion, label (from per-response classes)."),
    "dpo-parquet": ("TRL DPO pairs (Parquet)", "The DPO pairs as Parquet."),
    "reward-parquet": ("TRL reward pairs (Parquet)", "The reward pairs as Parquet."),
    "kto-parquet": ("TRL KTO rows (Parquet)", "The KTO rows as Parquet."),
    "dpo-text": ("TRL DPO pairs (standard text form)", "JSON lines with prompt, chosen, rejected as strings "
                 "(single-turn prompts)."),
    "reward-text": ("TRL reward pairs (standard text form)", "JSON lines with chosen, rejected as strings."),
    "kto-text": ("TRL KTO rows (standard text form)", "JSON lines with prompt, completion as strings, label."),
}
# dataset formats: offered only to projects whose task type has them (task_formats)
DETECTION_FORMATS = {"coco", "yolo", "voc", "masks", "gt-segmentation", "conll", "conll/bilou", "jsonl-spans",
                     "spacy-jsonl", "docbin", "parquet", "dpo", "reward", "kto", "dpo-parquet",
                     "reward-parquet", "kto-parquet", "dpo-text", "reward-text", "kto-text"}
# demonstrations: TRL's SFT datasets (core/formats/sft.py), offered to the four demonstration types only
EXPORT_KINDS.update({
    "sft-messages": ("TRL SFT conversations", "JSON lines for TRL's SFTTrainer: messages [{role, content}] — one "
                     "conversation per question-answer pair, chat or caption (images/videos for captions)."),
    "sft-prompt-completion": ("TRL SFT prompt-completion", "JSON lines: prompt (the conversation before the last "
                              "assistant turn) and completion (that turn), conversational."),
    "sft-prompt-completion-text": ("TRL SFT prompt-completion (plain text)", "JSON lines of strings: the passage "
                                   "and question as prompt, the answer as completion."),
    "sft-messages-parquet": ("TRL SFT conversations (Parquet)", "The conversations as Parquet."),
    "sft-prompt-completion-parquet": ("TRL SFT prompt-completion (Parquet)", "The prompt-completion rows as Parquet."),
})
DETECTION_FORMATS |= {"sft-messages", "sft-prompt-completion", "sft-prompt-completion-text", "sft-messages-parquet",
                      "sft-prompt-completion-parquet"}
# human model evaluation: Bedrock's output records, offered to model-evaluation projects only
EXPORT_KINDS["bedrock-evaluation"] = ("Amazon Bedrock human-evaluation output", "JSON lines as a Bedrock model "
                                      "evaluation job with human workers writes them, one per rated prompt: "
                                      "inputRecord, modelResponses and each rater's evaluationResults per metric.")
DETECTION_FORMATS.add("bedrock-evaluation")


def _item_filter(request: Request) -> items.ItemFilter:
    """Filters from the query string; a value the form cannot produce falls back to the default."""
    q = request.query_params
    page_no = q.get("page", "")
    annotator = q.get("annotator_id", "")
    status, sort = q.get("status", "all"), q.get("sort", "id")
    ids = tuple(dict.fromkeys(int(x) for x in q.get("ids", "").split(",") if x.strip().isdigit()))
    return items.ItemFilter(
        status=status if status in items.STATUSES else "all",
        q=q.get("q", "").strip()[:200] or None,
        annotator_id=int(annotator) if annotator.isdigit() else None,
        ids=ids[:items.MAX_PAGE_SIZE],
        sort=sort if sort in items.SORTS else "id",
        page=int(page_no) if page_no.isdigit() and 0 < int(page_no) < 1_000_000 else 1,
        page_size=PAGE_SIZE)


@router.get("/projects/{project_id}/items")
@page
async def items_page(request: Request, project_id: int) -> Response:
    actor = require_actor(request)
    db = request.app.state.db
    f = _item_filter(request)

    def load() -> tuple[projects.ProjectInfo, items.ItemPage, list[accounts.UserInfo]]:
        users = accounts.list_users(db, actor) if allowed(actor, "user.list") else []
        return projects.get_project(db, actor, project_id), items.list_items(db, actor, project_id, f), users

    p, result, users = await run_in_threadpool(load)
    signer = request.app.state.signer

    def thumb(data: dict[str, Any]) -> str | None:
        ref = data.get("source-ref")
        return signer.url(ref, actor.user_id) if isinstance(ref, str) and ref and p.type.media == "image" else None

    def counted(labels: list[str]) -> list[tuple[str, int]]:
        return list(Counter(label for label in labels if label).items())

    query = {"q": f.q or "", "status": f.status, "annotator_id": f.annotator_id or "", "sort": f.sort}
    ctx = page_context(request, actor, nav="projects", p=p, result=result, f=f, query=query, users=users,
                       thumb=thumb, counted=counted, statuses=STATUS_NAMES, sorts=SORT_NAMES)
    return render(request, "_items.html" if is_htmx(request, "lw-items") else "items.html", ctx)


@router.get("/projects/{project_id}/items/{item_id}/annotations")
@page
async def item_annotations(request: Request, project_id: int, item_id: int) -> Response:
    """One item's annotations, every version (the row's expansion in the items table)."""
    actor = require_actor(request)
    if request.query_params.get("hide"):
        return Response("", media_type="text/html")
    rows = await run_in_threadpool(annotation_service.annotations_for_item, request.app.state.db, actor, project_id, item_id)
    return render(request, "_annotations.html", page_context(request, actor, rows=rows, project_id=project_id,
                                                             item_id=item_id))


@router.get("/projects/{project_id}/export")
@page
async def export_page(request: Request, project_id: int) -> Response:
    actor = require_actor(request)
    db = request.app.state.db

    def load() -> tuple[projects.ProjectInfo, list[jobs.JobInfo]]:
        return projects.get_project(db, actor, project_id), jobs.list_jobs(db, actor, project_id)

    p, recent = await run_in_threadpool(load)
    fits = export_formats_for(p.type.name, p.type.value_kind(p.spec))  # coco is boxes, polygons or keypoints
    kinds = [(fmt, *EXPORT_KINDS.get(fmt, (fmt, ""))) for fmt in EXPORT_FORMATS
             if fmt in fits or fmt not in DETECTION_FORMATS]
    return render(request, "export.html", page_context(request, actor, nav="projects", p=p, kinds=kinds,
                                                       jobs=[j for j in recent if j.kind == "export"]))


@router.post("/projects/{project_id}/export")
@page
async def export_job(request: Request, project_id: int) -> Response:
    """Run the export as a background job; the job page shows its download link when it is done."""
    actor = require_actor(request)
    form = await request.form()
    job_id = await run_in_threadpool(jobs.create_export_job, request.app.state.db, actor, project_id,
                                     str(form.get("format", "manifest")))
    request.app.state.queue.enqueue(job_id)
    return see_other(f"/projects/{project_id}/jobs/{job_id}")
