// Uploads that show their progress: a form marked data-progress is sent by XMLHttpRequest, its
// <progress> follows the bytes sent, then says the server is reading; the answer replaces the
// page (a redirect, such as a new batch job's page, is followed).
"use strict";
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-progress")) return;
  const box = form.querySelector(".upload-progress");
  if (!box || !window.FormData) return; // the form is sent the plain way
  event.preventDefault();
  const bar = box.querySelector("progress");
  const label = box.querySelector("span");
  const button = form.querySelector("button[type=submit]");
  box.hidden = false;
  if (button) button.disabled = true;
  const request = new XMLHttpRequest();
  request.open("POST", form.action);
  request.upload.addEventListener("progress", (e) => {
    if (!e.lengthComputable) return;
    const percent = Math.round((100 * e.loaded) / e.total);
    bar.value = percent;
    label.textContent = `正在上传 ${percent}%`;
  });
  request.upload.addEventListener("load", () => {
    bar.removeAttribute("value"); // indeterminate while the server reads
    label.textContent = "已上传，正在读取……";
  });
  request.addEventListener("load", () => {
    const target = new URL(request.responseURL || form.action, location.href);
    if (target.pathname !== new URL(form.action, location.href).pathname) {
      location.assign(target.href);
      return;
    }
    document.open();
    document.write(request.responseText);
    document.close();
  });
  request.addEventListener("error", () => {
    label.textContent = "上传失败，请检查网络后重试";
    if (button) button.disabled = false;
  });
  request.send(new FormData(form));
});
