// The convolution labs' lists of names (kernels, images, signals, padding modes, pooling kinds)
// come from the core registries through GET api/v1/conv/options: no name is typed out here.

/** Fetch the registries: { images: [{name, label, description}], kernels: [...], ... }. */
export async function loadOptions() {
  const response = await fetch("api/v1/conv/options");
  if (!response.ok) throw new Error(`the lists of kernels, images and signals could not be loaded (HTTP ${response.status})`);
  return response.json();
}

/** The names of one registry, in order (a state schema's enum options). */
export function namesOf(options, registry) {
  return options[registry].map((choice) => choice.name);
}

/** Fill every <select data-choices="registry"> with that registry's names and labels, before
 * any option already written in the page (such as "my own image"). */
export function fillSelects(options, root = document) {
  for (const select of root.querySelectorAll("select[data-choices]")) {
    const items = options[select.dataset.choices].map((choice) => {
      const option = document.createElement("option");
      option.value = choice.name;
      option.textContent = choice.label;
      option.title = choice.description;
      return option;
    });
    select.prepend(...items);
  }
}
