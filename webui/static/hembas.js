// Hembas works without JavaScript; this only fills the phone's own time into the clock form.
document.querySelectorAll("[data-phone-time]").forEach(function (form) {
  form.addEventListener("submit", function () {
    var now = new Date();
    form.querySelector("[name=phone_time]").value = now.toISOString();
  });
  var input = form.querySelector("[name=local_time]");
  if (input) {
    var d = new Date(), pad = function (n) { return String(n).padStart(2, "0"); };
    input.value = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
});
