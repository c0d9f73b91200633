// Doctor's prescription editor (prescriptions/prescribe.html); the data comes from the page's JSON block.
document.getElementById("rx-form").addEventListener("submit", (event) => event.preventDefault());  // saved by buttons
HHRx.initPrescribe(HH.pageData());
