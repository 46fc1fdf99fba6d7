// PDFs in PDF.js (vendored ES modules), one page at a time on a canvas, turned by the reader's
// pager (reader.js): PDF.js fetches the file from the file door in ranges as it needs them.
const DEFAULT_WIDTH = 800;

async function open(section) {
  const stage = section.querySelector(".pdf-stage");
  const canvas = stage.querySelector("canvas");
  const pdfjs = await import(section.dataset.pdfjs);
  pdfjs.GlobalWorkerOptions.workerSrc = section.dataset.worker;
  const pdf = await pdfjs.getDocument({ url: section.dataset.source, withCredentials: true }).promise;
  let zoom = 1; // over the size that fits the stage
  let shown = 0;
  let task = null;

  async function show(number) {
    shown = number;
    const page = await pdf.getPage(number);
    if (number !== shown) { return; } // another page was asked meanwhile
    const ratio = window.devicePixelRatio || 1;
    // At zoom 1 the whole page fits the stage; zooming in scrolls inside the stage.
    const natural = page.getViewport({ scale: 1 });
    const width = (stage.clientWidth || DEFAULT_WIDTH) - 2;
    const height = (stage.clientHeight || DEFAULT_WIDTH) - 2;
    const scale = Math.min(width / natural.width, height / natural.height) * zoom;
    const viewport = page.getViewport({ scale: scale * ratio });
    if (task) { task.cancel(); }
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    canvas.style.width = `${Math.floor(viewport.width / ratio)}px`;
    canvas.style.height = `${Math.floor(viewport.height / ratio)}px`;
    task = page.render({ canvas, viewport });
    try {
      await task.promise;
      section.dataset.rendered = String(number);
    } catch (error) {
      if (error.name !== "RenderingCancelledException") { throw error; }
    }
  }

  const pager = window.LibranetPager(section, {
    show,
    zoom(factor) { zoom = Math.min(8, Math.max(0.25, zoom * factor)); show(pager.page); },
    fit() { zoom = 1; show(pager.page); },
  });
  pager.start(pdf.numPages);
}

for (const section of document.querySelectorAll("[data-viewer=pdf]")) {
  open(section).catch((error) => {
    section.querySelector(".viewer-toolbar").hidden = true;
    section.querySelector(".viewer-status").textContent = section.dataset.error;
    console.error(error);
  });
}
