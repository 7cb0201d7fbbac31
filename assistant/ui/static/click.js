// Runs once per gr.HTML (its js_on_load): `element` is the component's root, `trigger` sends a Gradio event.
// Clicks bubble up to that root, which survives re-renders of the content.
const fire = (e) => {
  const slide = e.target.closest('[data-slide]');
  if (slide && element.contains(slide)) { e.preventDefault(); trigger('click', {slide: Number(slide.dataset.slide)}); return; }
  const q = e.target.closest('[data-qid]');
  if (q && element.contains(q)) { trigger('click', {qid: q.dataset.qid}); }
};
element.addEventListener('click', fire);
element.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') fire(e); });
